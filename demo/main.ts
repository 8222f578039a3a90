/**
 * `npm run demo`: fills a running Observatory with telemetry from three
 * services instrumented by the OpenTelemetry SDK, then prints queries.
 *
 * OBSERVATORY_URL  Observatory's base URL (default http://127.0.0.1:8036)
 * DEMO_REQUESTS    requests to send (default 60)
 * DEMO_PAUSE_MS    pause between requests in ms (default 250)
 * OBSERVATORY_API_KEY  sent as x-api-key when set
 */
import { runDemo } from './run.js';

const endpoint = process.env.OBSERVATORY_URL ?? 'http://127.0.0.1:8036';
const requests = Number(process.env.DEMO_REQUESTS ?? 60);
const pauseMs = Number(process.env.DEMO_PAUSE_MS ?? 250);
const apiKey = process.env.OBSERVATORY_API_KEY;

async function checkHealth(): Promise<void> {
  try {
    const response = await fetch(`${endpoint}/health`);
    if (response.ok) return;
    throw new Error(`GET /health answered ${response.status}`);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Observatory is not reachable at ${endpoint} (${reason}); start it ` +
        'with `npm start` or set OBSERVATORY_URL',
    );
  }
}

function printQueries(): void {
  const api = `${endpoint}/api/observatory`;
  const key = apiKey ? ` -H 'x-api-key: ${apiKey}'` : '';
  console.log(`
Try these:
  curl -s${key} '${api}/traces/service/frontend?limit=5'
  curl -s${key} '${api}/traces/service/frontend?errors_only=true'
  curl -s${key} '${api}/traces/<trace_id from above>'
  curl -s${key} -X POST '${api}/metrics/query' -H 'content-type: application/json' \\
    -d '{"service":"orders","metric_name":"demo.requests","aggregation":"max"}'
  curl -s${key} -X POST '${api}/logs/search' -H 'content-type: application/json' \\
    -d '{"service":"inventory","min_level":"ERROR"}'`);
}

async function main(): Promise<void> {
  if (!Number.isInteger(requests) || requests < 1) {
    throw new Error(
      `invalid DEMO_REQUESTS ${requests}: expected an integer > 0`,
    );
  }
  await checkHealth();
  console.log(
    `Sending ${requests} requests through frontend -> orders -> inventory`,
  );

  const result = await runDemo({
    endpoint,
    requests,
    pauseMs,
    headers: apiKey ? { 'x-api-key': apiKey } : undefined,
    onRequest: (query, status) => console.log(`GET /work${query} -> ${status}`),
  });

  console.log(`Done: ${result.sent} requests, ${result.failed} failed.`);
  printQueries();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
