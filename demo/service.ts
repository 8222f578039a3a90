/**
 * A small HTTP service for the demo: it answers `GET /work`, calls the
 * next service in the chain when DOWNSTREAM_URL is set, and records a
 * request counter, a latency histogram and a log line per request.
 * `?fail=1` makes it answer 500; `?slow=MS` delays it.
 */
import { createServer, get, type IncomingMessage } from 'node:http';
import { metrics, SpanStatusCode, trace } from '@opentelemetry/api';
import { logs, SeverityNumber } from '@opentelemetry/api-logs';

const serviceName = process.env.OTEL_SERVICE_NAME ?? 'demo-service';
const port = Number(process.env.PORT ?? 0);
const downstream = process.env.DOWNSTREAM_URL;

const meter = metrics.getMeter('observatory-demo');
const requests = meter.createCounter('demo.requests', {
  description: 'Requests served',
});
const latency = meter.createHistogram('demo.latency', {
  description: 'Request latency',
  unit: 'ms',
});
const logger = logs.getLogger('observatory-demo');

function emitLog(severity: SeverityNumber, text: string, body: string): void {
  logger.emit({
    severityNumber: severity,
    severityText: text,
    body,
    attributes: { 'demo.service': serviceName },
  });
}

/** Calls the next service with `http.get`, which the SDK instruments. */
function callDownstream(url: URL): Promise<number> {
  if (!downstream) return Promise.resolve(200);
  const next = new URL('/work', downstream);
  next.search = url.search;
  return new Promise((resolve, reject) => {
    get(next, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 502));
    }).on('error', reject);
  });
}

async function work(request: IncomingMessage): Promise<number> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const slowMs = Number(url.searchParams.get('slow') ?? 0);
  if (slowMs > 0) await new Promise((resolve) => setTimeout(resolve, slowMs));

  const downstreamStatus = await callDownstream(url);
  const failHere = url.searchParams.get('fail') === serviceName;
  return failHere || downstreamStatus >= 500 ? 500 : 200;
}

const server = createServer((request, response) => {
  const started = performance.now();
  work(request)
    .catch(() => 502)
    .then((status) => {
      const span = trace.getActiveSpan();
      const route = { route: '/work', status: String(status) };
      requests.add(1, route);
      latency.record(performance.now() - started, route);
      if (status >= 500) {
        span?.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' });
        emitLog(SeverityNumber.ERROR, 'ERROR', `${serviceName} failed`);
      } else {
        emitLog(SeverityNumber.INFO, 'INFO', `${serviceName} served work`);
      }
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ service: serviceName, status }));
    });
});

server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  console.log(`READY ${serviceName} http://127.0.0.1:${bound}`);
});
