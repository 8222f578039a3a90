import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseJsonExact, toJson } from '#shared/http/json.js';
import { bulk } from './bulk.js';
import {
  errorBody,
  FakeOpenSearchError,
  fakeError,
  illegalArgument,
} from './errors.js';
import type { FakeIndex } from './mapping.js';
import { resolveIndices, search } from './search.js';
import {
  type FakeCredentials,
  parseAuthorization,
  type SigV4Authorization,
  verifySigV4,
} from './sigv4.js';
import { emptyState, type FakeState, putTemplate } from './state.js';

/** OpenSearch's default `http.max_content_length`: 100 MiB. */
const DEFAULT_MAX_BODY_BYTES = 100 * 1024 * 1024;

export interface FakeOpenSearchOptions {
  /** Largest request body accepted; a larger one gets a 413. */
  maxBodyBytes?: number;
  /** When set, every request needs a valid SigV4 signature by these keys. */
  credentials?: FakeCredentials;
}

/** One request the fake received. */
export interface RecordedRequest {
  method: string;
  /** The path, decoded. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** The parsed SigV4 Authorization header, when there is one. */
  auth?: SigV4Authorization;
}

/** A fake OpenSearch cluster on 127.0.0.1 and the handles to steer it. */
export interface FakeOpenSearch {
  url: string;
  /** Every request received, oldest first. */
  requests: RecordedRequest[];
  state: FakeState;
  /** Answers the next `count` `_bulk` requests with HTTP 429. */
  rejectBulkRequests(count: number): void;
  /** Answers the next `count` `_bulk` items with an item status of 429. */
  rejectBulkItems(count: number): void;
  index(name: string): FakeIndex | undefined;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  body?: unknown;
}

const JSON_TYPES = ['application/json', 'application/x-ndjson'];

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function checkContentType(headers: IncomingHttpHeaders): Answer | undefined {
  const type = (headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
  if (JSON_TYPES.includes(type)) return undefined;
  // OpenSearch answers an unsupported type with a bare string error.
  return {
    status: 406,
    body: {
      error: `Content-Type header [${type}] is not supported`,
      status: 406,
    },
  };
}

function parseJsonBody(text: string): Record<string, unknown> {
  if (text === '') return {};
  try {
    return parseJsonExact(text) as Record<string, unknown>;
  } catch (error) {
    throw fakeError(
      400,
      'parse_exception',
      `request body is not valid JSON: ${(error as Error).message}`,
    );
  }
}

/** Routes one request to the part of the fake that answers it. */
class Router {
  bulkRejections = 0;

  constructor(readonly state: FakeState) {}

  route(
    method: string,
    segments: string[],
    query: URLSearchParams,
    text: string,
  ): Answer {
    const [first, second, third] = segments;
    if (first === '_index_template' && second && segments.length === 2) {
      if (method === 'PUT' || method === 'POST') {
        putTemplate(this.state, second, parseJsonBody(text));
        return { status: 200, body: { acknowledged: true } };
      }
      if (method === 'GET') return this.getTemplate(second);
    }
    const isBulk = first === '_bulk' || (second === '_bulk' && !third);
    if (isBulk && (method === 'POST' || method === 'PUT')) {
      if (this.bulkRejections > 0) {
        this.bulkRejections -= 1;
        throw fakeError(
          429,
          'rejected_execution_exception',
          'rejected execution of coordinating operation [write queue full]',
        );
      }
      return {
        status: 200,
        body: bulk(this.state, text, first === '_bulk' ? undefined : first),
      };
    }
    const isSearch = first === '_search' || (second === '_search' && !third);
    if (isSearch && (method === 'POST' || method === 'GET')) {
      const expression = first === '_search' ? '*' : (first ?? '*');
      const targets = resolveIndices(this.state.indices, expression, query);
      return { status: 200, body: search(targets, parseJsonBody(text)) };
    }
    throw illegalArgument(
      `no handler found for uri [/${segments.join('/')}] and method [${method}]`,
    );
  }

  private getTemplate(name: string): Answer {
    const template = this.state.templates.get(name);
    if (!template) {
      throw fakeError(
        404,
        'resource_not_found_exception',
        `index template matching [${name}] not found`,
      );
    }
    return {
      status: 200,
      body: { index_templates: [{ name, index_template: template }] },
    };
  }
}

function send(response: ServerResponse, answer: Answer): void {
  if (answer.body === undefined) {
    response.writeHead(answer.status).end();
    return;
  }
  const text = toJson(answer.body);
  response.writeHead(answer.status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

async function handle(
  request: IncomingMessage,
  router: Router,
  options: FakeOpenSearchOptions,
  requests: RecordedRequest[],
): Promise<Answer> {
  const body = await readBody(request);
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const path = decodeURIComponent(url.pathname);
  const auth = parseAuthorization(request.headers.authorization);
  const method = request.method ?? 'GET';
  const text = body.toString('utf8');
  requests.push({
    method,
    path,
    query: url.searchParams,
    headers: request.headers,
    body: text,
    auth,
  });

  if (options.credentials) {
    const signed = {
      method,
      url: request.url ?? '/',
      headers: request.headers,
      body,
    };
    const problem = verifySigV4(signed, options.credentials);
    // AWS rejects a bad signature in front of the cluster, in its own shape.
    if (problem)
      return {
        status: 403,
        body: { message: `The request signature is not valid: ${problem}` },
      };
  }
  // OpenSearch's HTTP layer answers an oversized body with an empty 413.
  if (body.length > (options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES))
    return { status: 413 };
  if (body.length > 0) {
    const unsupported = checkContentType(request.headers);
    if (unsupported) return unsupported;
  }
  const segments = path.split('/').filter((segment) => segment !== '');
  return router.route(method, segments, url.searchParams, text);
}

/**
 * Starts a fake OpenSearch on 127.0.0.1 with a free port. It implements
 * the REST subset the log store uses, as the OpenSearch documentation
 * describes it: `PUT _index_template`, index creation from templates on
 * first write, `_bulk` with per-item results, `_search` with the query,
 * sort and aggregation subset, and OpenSearch's error bodies.
 */
export async function startFakeOpenSearch(
  options: FakeOpenSearchOptions = {},
): Promise<FakeOpenSearch> {
  const state = emptyState();
  const router = new Router(state);
  const requests: RecordedRequest[] = [];
  const server = createServer((request, response) => {
    handle(request, router, options, requests)
      .then((answer) => send(response, answer))
      .catch((error: unknown) => {
        if (error instanceof FakeOpenSearchError) {
          send(response, { status: error.status, body: errorBody(error) });
        } else {
          const reason = (error as Error).message;
          send(response, {
            status: 500,
            body: errorBody(fakeError(500, 'exception', reason)),
          });
        }
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    state,
    rejectBulkRequests: (count) => {
      router.bulkRejections = count;
    },
    rejectBulkItems: (count) => {
      state.itemRejections = count;
    },
    index: (name) => state.indices.get(name),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
