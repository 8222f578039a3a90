import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { z } from 'zod';
import { ValidationError } from '../errors.js';
import type { RouteKey } from '../routes.js';
import { checkJsonDepth, wellFormedJson } from './json.js';
import { zodDetails } from './zod-details.js';

/** The request a route action receives, with its body already decoded. */
export interface ApiRequest {
  routeKey: RouteKey;
  /** Path parameters, URL-decoded. */
  params: Record<string, string>;
  query: Record<string, string>;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** Media type of the body, lower case, without parameters. */
  contentType: string;
  /** The body after base64 and gzip decoding. */
  body: Buffer;
  requestId: string;
  event: APIGatewayProxyEventV2;
}

export interface ApiResponse {
  status: number;
  /** Serialized as JSON unless `raw` is set. */
  body?: unknown;
  /** A binary body, sent base64-encoded to API Gateway. */
  raw?: Buffer;
  headers?: Record<string, string>;
}

export type RouteAction = (request: ApiRequest) => Promise<ApiResponse>;

/** Turns JSON text into a value, raising SyntaxError on invalid text. */
export type JsonParser = (text: string) => unknown;

/**
 * Parses the body as JSON, raising a 400 that names where parsing failed,
 * or the nesting limit when the body passes it. Lone surrogates become
 * U+FFFD. Pass `parse` to read it another way, such as with exact 64-bit
 * integers.
 */
export function readJson(
  request: ApiRequest,
  parse: JsonParser = JSON.parse,
): unknown {
  if (request.body.length === 0) {
    throw new ValidationError('request body is missing; send a JSON document', [
      { path: 'body', message: 'missing' },
    ]);
  }
  const text = request.body.toString('utf8');
  checkJsonDepth(text);
  let value: unknown;
  try {
    value = wellFormedJson(parse(text), text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ValidationError(
      `request body is not valid JSON: ${reason}`,
      [{ path: 'body', message: `invalid JSON: ${reason}` }],
      error,
    );
  }
  rejectPrototypeKeys(value);
  return value;
}

/**
 * Rejects a `__proto__` key anywhere in the body. Object records built
 * from it (labels, attributes, tags) would drop it without a word, and
 * it is the usual vehicle of prototype pollution.
 */
function rejectPrototypeKeys(root: unknown): void {
  const pending: { value: unknown; path: string }[] = [
    { value: root, path: '' },
  ];
  for (let item = pending.pop(); item; item = pending.pop()) {
    const { value, path } = item;
    if (value === null || typeof value !== 'object') continue;
    if (Object.hasOwn(value, '__proto__')) {
      const where = path ? `${path}.__proto__` : '__proto__';
      throw new ValidationError(
        `invalid key __proto__ at ${where}; rename the key`,
        [{ path: where, message: 'the key __proto__ is not accepted' }],
      );
    }
    for (const [key, child] of Object.entries(value)) {
      const childPath = Array.isArray(value)
        ? `${path}[${key}]`
        : path
          ? `${path}.${key}`
          : key;
      pending.push({ value: child, path: childPath });
    }
  }
}

/** Parses the JSON body with `schema`, raising a 400 naming each field. */
export function readBody<T extends z.ZodType>(
  request: ApiRequest,
  schema: T,
  parse: JsonParser = JSON.parse,
): z.output<T> {
  return parseInput(schema, readJson(request, parse), 'body');
}

/** Parses the query string with `schema`, raising a 400 naming each field. */
export function readQuery<T extends z.ZodType>(
  request: ApiRequest,
  schema: T,
): z.output<T> {
  return parseInput(schema, request.query, 'query');
}

/** Parses `input` with `schema`; the 400 names `where` and each bad field. */
export function parseInput<T extends z.ZodType>(
  schema: T,
  input: unknown,
  where: string,
): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;

  const details = zodDetails(result.error);
  const first = details[0];
  const summary = first ? `${first.path}: ${first.message}` : 'invalid';
  const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
  throw new ValidationError(
    `invalid ${where}: ${summary}${more}`,
    details,
    result.error,
  );
}
