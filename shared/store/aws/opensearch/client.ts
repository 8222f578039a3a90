import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Client, errors } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws-v3';
import { StoreError } from '#shared/errors.js';

/** One REST call to the cluster. */
export interface OpenSearchRequest {
  method: 'GET' | 'POST' | 'PUT';
  /** Path with every segment already URL-encoded. */
  path: string;
  querystring?: Record<string, string>;
  /** A JSON body. */
  body?: unknown;
  /** A newline-delimited JSON body, sent byte for byte (`_bulk`). */
  ndjson?: string;
}

/** The status and parsed body of any HTTP response, errors included. */
export interface OpenSearchResponse {
  statusCode: number;
  body: unknown;
}

/** Sends REST calls to one cluster; the only thing the log store needs. */
export interface OpenSearchTransport {
  send(request: OpenSearchRequest): Promise<OpenSearchResponse>;
}

/** Connection settings of the cluster. */
export interface OpenSearchClientOptions {
  /** `https://...` URL of the domain or collection endpoint. */
  endpoint: string;
  region: string;
  /** `es` for a managed domain, `aoss` for OpenSearch Serverless. */
  service: 'es' | 'aoss';
}

/**
 * Creates a client that signs every request with SigV4 for `service`,
 * with credentials from the AWS SDK's default chain (environment, then
 * shared files, then the Lambda or container role). Prototype-poisoning
 * protection is off, because it rejects a whole response when a stored
 * attribute key is `__proto__`. Plain `JSON.parse` already makes such a
 * key an own property, so it changes no prototype.
 */
export function createOpenSearchClient(options: OpenSearchClientOptions) {
  return new Client({
    ...AwsSigv4Signer({
      region: options.region,
      service: options.service,
      getCredentials: defaultProvider(),
    }),
    node: options.endpoint,
    disablePrototypePoisoningProtection: true,
  });
}

/**
 * Wraps a client as an {@link OpenSearchTransport}. HTTP error statuses
 * come back as responses for the caller to read, after the client's own
 * retries of 502, 503 and 504. A failure to connect raises StoreError.
 */
export function transportOf(client: Client): OpenSearchTransport {
  return {
    async send(request) {
      const params = {
        method: request.method,
        path: request.path,
        querystring: request.querystring ?? {},
        ...(request.ndjson === undefined
          ? { body: request.body as Record<string, unknown> }
          : { bulkBody: request.ndjson }),
      };
      try {
        const response = await client.transport.request(params);
        return { statusCode: response.statusCode ?? 0, body: response.body };
      } catch (error) {
        if (error instanceof errors.ResponseError) {
          return { statusCode: error.statusCode, body: error.body };
        }
        throw new StoreError(
          `OpenSearch request ${request.method} ${request.path} failed: ` +
            `${(error as Error).message}`,
          error,
        );
      }
    },
  };
}

/** The `error` object of OpenSearch's error body. */
interface ErrorCause {
  type?: string;
  reason?: string;
  caused_by?: ErrorCause;
  root_cause?: ErrorCause[];
}

/**
 * Renders an OpenSearch error object as `type: reason`, followed by the
 * first root cause or inner cause when it adds detail.
 */
export function describeError(error: unknown): string {
  if (typeof error === 'string') return error;
  if (error === null || typeof error !== 'object') return 'unknown error';

  const cause = error as ErrorCause;
  const own = `${cause.type ?? 'error'}: ${cause.reason ?? 'no reason given'}`;
  const inner = cause.root_cause?.[0] ?? cause.caused_by;
  if (!inner?.reason || inner.reason === cause.reason) return own;
  return `${own} (${inner.type ?? 'error'}: ${inner.reason})`;
}

/**
 * Builds the StoreError for a response that is not a success; `action`
 * names the request, such as `log search`.
 */
export function failureOf(
  action: string,
  response: OpenSearchResponse,
): StoreError {
  return new StoreError(
    `OpenSearch ${action} failed with HTTP ${response.statusCode}: ` +
      detailOf(response.body),
  );
}

/**
 * Reads the reason from an error body: OpenSearch's `error` object, or
 * the `message` that AWS sends when it rejects a request before the
 * cluster (a bad signature, a missing permission).
 */
function detailOf(body: unknown): string {
  if (body === null || typeof body !== 'object') return 'no error body';
  const fields = body as Record<string, unknown>;
  if ('error' in fields) return describeError(fields.error);
  const message = fields.message ?? fields.Message;
  return typeof message === 'string' ? message : 'no error body';
}
