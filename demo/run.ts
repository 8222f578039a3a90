import { type DemoService, startDemoService } from './processes.js';

/** The demo's call chain, first to last. */
export const DEMO_CHAIN = ['frontend', 'orders', 'inventory'] as const;

export interface DemoOptions {
  /** Observatory's base URL. */
  endpoint: string;
  /** Number of requests sent to the frontend. */
  requests: number;
  /** Pause between requests, in milliseconds. */
  pauseMs: number;
  headers?: Record<string, string>;
  onRequest?: (query: string, status: number) => void;
}

export interface DemoResult {
  sent: number;
  failed: number;
}

/**
 * The query for request `index`: every 5th fails in inventory, every 7th
 * fails in orders and every 4th is slow in orders, so the traces show
 * errors at different depths and a latency tail.
 */
export function demoQuery(index: number): string {
  const params = new URLSearchParams();
  if (index % 5 === 4) params.set('fail', 'inventory');
  else if (index % 7 === 6) params.set('fail', 'orders');
  if (index % 4 === 3) params.set('slow', '120');
  const text = params.toString();
  return text ? `?${text}` : '';
}

async function startChain(options: DemoOptions): Promise<DemoService[]> {
  const started: DemoService[] = [];
  let downstream: string | undefined;
  try {
    for (const name of [...DEMO_CHAIN].reverse()) {
      const service = await startDemoService({
        name,
        endpoint: options.endpoint,
        protocol: name === 'orders' ? 'json' : 'protobuf',
        downstream,
        headers: options.headers,
      });
      started.push(service);
      downstream = service.url;
    }
  } catch (error) {
    await Promise.all(started.map((service) => service.stop()));
    throw error;
  }
  return started;
}

/**
 * Starts the three demo services against Observatory, sends them traffic,
 * then stops them, which flushes their telemetry.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const services = await startChain(options);
  const frontend = services.at(-1);
  let failed = 0;
  try {
    for (let index = 0; index < options.requests; index++) {
      const query = demoQuery(index);
      const response = await fetch(`${frontend?.url}/work${query}`);
      await response.arrayBuffer();
      if (response.status >= 500) failed++;
      options.onRequest?.(query, response.status);
      await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    }
  } finally {
    await Promise.all(services.map((service) => service.stop()));
  }
  return { sent: options.requests, failed };
}
