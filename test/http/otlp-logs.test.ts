import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.js';
import type { LogRecord } from '#shared/model/log.js';
import { postOtlpJson, postOtlpProtobuf } from '#test/fixtures/otlp/http.js';
import {
  at,
  logRecord,
  logsRequest,
  resourceOf,
  SEVERITY_CASES,
  SPAN_ID,
  str,
  T0_NANO,
  TRACE_ID,
} from '#test/fixtures/otlp/requests.js';
import {
  postJson,
  startTestServer,
  type TestServer,
} from '#test/support/server.js';

const T0 = T0_NANO;
const T0_MS = Number(T0 / 1_000_000n);

let server: TestServer;
let serviceCounter = 0;
/** A fresh service name per test, so tests never see each other's logs. */
let service: string;

beforeAll(async () => {
  server = await startTestServer({ clock: fixedClock(T0_MS) });
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  serviceCounter += 1;
  service = `otlp-logs-${serviceCounter}`;
});

/** Stored records of the test's service, oldest first. */
async function storedLogs(): Promise<LogRecord[]> {
  const page = await server.stores.logs.search({
    service,
    start_ms: T0_MS - 60_000,
    end_ms: T0_MS + 60_000,
    limit: 100,
  });
  return [...page.items].sort((a, b) =>
    a.time_unix_nano < b.time_unix_nano ? -1 : 1,
  );
}

describe('POST /v1/logs severity', () => {
  it.each(['json', 'protobuf'] as const)(
    'normalizes the level and keeps the text (%s)',
    async (format) => {
      const records = SEVERITY_CASES.map(([severityNumber, severityText], i) =>
        logRecord(T0, {
          timeUnixNano: at(T0, i),
          severityNumber,
          severityText,
          body: { stringValue: `record ${i}` },
        }),
      );
      const request = logsRequest(records, resourceOf(service));
      const post = format === 'json' ? postOtlpJson : postOtlpProtobuf;

      const response = await post(server.url, 'logs', request);
      const stored = await storedLogs();

      expect(response.status).toBe(200);
      expect(response.body).toEqual({});
      expect(stored.map((r) => r.level)).toEqual(
        SEVERITY_CASES.map(([, , level]) => level),
      );
      expect(stored.map((r) => r.severity_text)).toEqual(
        SEVERITY_CASES.map(([, text]) => text),
      );
    },
  );

  it('filters by the normalized level', async () => {
    const records = SEVERITY_CASES.map(([severityNumber, severityText], i) =>
      logRecord(T0, { timeUnixNano: at(T0, i), severityNumber, severityText }),
    );
    await postOtlpJson(
      server.url,
      'logs',
      logsRequest(records, resourceOf(service)),
    );

    const response = await postJson(
      `${server.url}/api/observatory/logs/search`,
      {
        service,
        min_level: 'ERROR',
        start: T0_MS - 60_000,
        end: T0_MS + 60_000,
      },
    );

    expect(response.status).toBe(200);
    expect(
      response.body.logs.map((l: { severity_text: string }) => l.severity_text),
    ).toEqual(['400']);
  });
});

describe('POST /v1/logs fields', () => {
  it('keeps dotted attribute keys flat', async () => {
    const resource = resourceOf(service, [
      str('app', 'authserver'),
      str('app.kubernetes.io/name', 'authserver'),
      str('app.kubernetes.io/component', 'auth'),
    ]);
    const request = logsRequest(
      [
        logRecord(T0, { attributes: [str('source', 'gateway')] }),
        logRecord(T0, {
          timeUnixNano: at(T0, 1),
          attributes: [str('source.address', '10.0.0.1')],
        }),
      ],
      resource,
    );

    const response = await postOtlpJson(server.url, 'logs', request);
    const stored = await storedLogs();

    expect(response.status).toBe(200);
    expect(stored[0]?.resource).toEqual({
      'service.name': { stringValue: service },
      app: { stringValue: 'authserver' },
      'app.kubernetes.io/name': { stringValue: 'authserver' },
      'app.kubernetes.io/component': { stringValue: 'auth' },
    });
    expect(stored[0]?.attributes).toEqual({
      source: { stringValue: 'gateway' },
    });
    expect(stored[1]?.attributes).toEqual({
      'source.address': { stringValue: '10.0.0.1' },
    });
  });

  it('stores trace context in lower case from protobuf', async () => {
    const request = logsRequest(
      [logRecord(T0, { traceId: TRACE_ID, spanId: SPAN_ID })],
      resourceOf(service),
    );

    const response = await postOtlpProtobuf(server.url, 'logs', request);
    const stored = await storedLogs();

    expect(response.status).toBe(200);
    expect(stored[0]?.trace_id).toBe(TRACE_ID);
    expect(stored[0]?.span_id).toBe(SPAN_ID);
  });

  it('keeps a structured body and exact times', async () => {
    const body = { kvlistValue: { values: [str('event', 'login')] } };
    const request = logsRequest(
      [
        logRecord(T0, {
          timeUnixNano: at(T0, 3),
          observedTimeUnixNano: at(T0, 9),
          body,
        }),
      ],
      resourceOf(service),
    );

    await postOtlpJson(server.url, 'logs', request);
    const stored = (await storedLogs())[0];

    expect(stored?.time_unix_nano).toBe(T0 + 3n);
    expect(stored?.observed_time_unix_nano).toBe(T0 + 9n);
    expect(stored?.message).toBe('{"event":"login"}');
  });

  it('stores a request sent twice once', async () => {
    const request = logsRequest([logRecord(T0)], resourceOf(service));

    await postOtlpJson(server.url, 'logs', request);
    const second = await postOtlpProtobuf(server.url, 'logs', request);

    expect(second.status).toBe(200);
    expect(await storedLogs()).toHaveLength(1);
  });

  it('reports an invalid record and stores the rest', async () => {
    const request = logsRequest(
      [
        logRecord(T0),
        logRecord(T0, { timeUnixNano: '12abc' }),
        logRecord(T0, { traceId: 'nio9wGB0sXVA1U3k5R5zXw==' }),
      ],
      resourceOf(service),
    );

    const response = await postOtlpJson(server.url, 'logs', request);

    expect(response.status).toBe(200);
    expect(response.body.partialSuccess.rejectedLogRecords).toBe(2);
    expect(response.body.partialSuccess.errorMessage).toContain(
      'logRecords[1].timeUnixNano: invalid integer "12abc"',
    );
    expect(response.body.partialSuccess.errorMessage).toContain(
      'logRecords[2].traceId: invalid trace id',
    );
    expect(await storedLogs()).toHaveLength(1);
  });
});
