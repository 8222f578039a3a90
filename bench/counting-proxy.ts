import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** Calls and bytes of one API operation, as the proxy counted them. */
export interface OperationCount {
  calls: number;
  /** Request body bytes. */
  bytes: number;
  /** Items in the calls' bodies, as {@link countItems} counts them. */
  items: number;
}

/** An HTTP proxy on 127.0.0.1 that counts AWS JSON API calls. */
export interface CountingProxy {
  endpoint: string;
  /** Counts by operation, from `X-Amz-Target` (`PutItem`, ...). */
  counts: Map<string, OperationCount>;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/**
 * Counts the items a DynamoDB call carries: put and delete requests of
 * a BatchWriteItem, keys of a BatchGetItem, one item for the rest.
 */
function countItems(operation: string, body: Buffer): number {
  if (operation !== 'BatchWriteItem' && operation !== 'BatchGetItem') return 1;
  const parsed = JSON.parse(body.toString('utf8')) as {
    RequestItems?: Record<string, unknown[] | { Keys?: unknown[] }>;
  };
  let items = 0;
  for (const entry of Object.values(parsed.RequestItems ?? {})) {
    items += Array.isArray(entry) ? entry.length : (entry.Keys?.length ?? 0);
  }
  return items;
}

/**
 * Starts a proxy in front of `target` (an emulator such as dynalite) and
 * counts every call by operation before passing it on unchanged.
 */
export async function startCountingProxy(
  target: string,
): Promise<CountingProxy> {
  const counts = new Map<string, OperationCount>();
  const server = createServer(async (request, response) => {
    const body = await readBody(request);
    const targetHeader = String(request.headers['x-amz-target'] ?? '');
    const operation = targetHeader.split('.').pop() || 'unknown';
    const count = counts.get(operation) ?? { calls: 0, bytes: 0, items: 0 };
    count.calls += 1;
    count.bytes += body.length;
    count.items += countItems(operation, body);
    counts.set(operation, count);

    const forward = httpRequest(
      new URL(request.url ?? '/', target),
      { method: request.method, headers: request.headers },
      (upstream) => {
        response.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.pipe(response);
      },
    );
    forward.on('error', (error) => {
      response.writeHead(502).end(String(error));
    });
    forward.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
