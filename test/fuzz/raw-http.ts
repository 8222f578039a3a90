import { connect } from 'node:net';

/** A raw HTTP exchange: what came back and whether the server closed. */
export interface RawExchange {
  /** Everything the server sent, as text. */
  response: string;
  /** Status code of the first response line, or 0 when there was none. */
  status: number;
  /** Milliseconds until the server closed the connection. */
  closedAfterMs: number;
}

/**
 * Sends raw bytes to the server, in parts with a pause between them, and
 * collects the response until the server closes the connection or
 * `giveUpMs` passes. Lets a test send what fetch refuses to: malformed
 * targets, partial requests, bytes a clock tick apart.
 */
export function sendRaw(
  baseUrl: string,
  parts: string[],
  options: { pauseMs?: number; giveUpMs?: number } = {},
): Promise<RawExchange> {
  const { port, hostname } = new URL(baseUrl);
  const pauseMs = options.pauseMs ?? 0;
  const giveUpMs = options.giveUpMs ?? 5_000;
  const started = performance.now();

  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const finish = () => {
      clearTimeout(timer);
      const response = Buffer.concat(chunks).toString('utf8');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);
      const closedAfterMs = Math.round(performance.now() - started);
      resolve({ response, status, closedAfterMs });
    };
    const timer = setTimeout(() => {
      socket.destroy();
    }, giveUpMs);

    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', finish);
    socket.on('error', () => socket.destroy());
    socket.on('connect', async () => {
      for (const part of parts) {
        if (socket.destroyed) return;
        socket.write(part);
        if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
      }
    });
  });
}

/** Returns the JSON body of a raw HTTP response, or undefined. */
export function rawJsonBody(response: string): any {
  const start = response.indexOf('\r\n\r\n');
  if (start < 0) return undefined;
  try {
    return JSON.parse(response.slice(start + 4));
  } catch {
    return undefined;
  }
}
