import { describe, expect, it } from 'vitest';
import { mapLogsRequest } from '#shared/otlp/logs.js';
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

const T0 = T0_NANO;
const RECEIVED = T0 + 60_000_000_000n;

function mapOne(fields: Record<string, unknown>, resource?: unknown) {
  return mapLogsRequest(
    logsRequest([logRecord(T0, fields)], resource),
    RECEIVED,
  );
}

describe('mapLogsRequest severity', () => {
  it.each(SEVERITY_CASES)(
    'maps (%i, %j) to %s and keeps the text',
    (severityNumber, severityText, level) => {
      const item = mapOne({ severityNumber, severityText }).items[0];

      expect(item?.level).toBe(level);
      expect(item?.severity_text).toBe(severityText);
      expect(item?.severity_number).toBe(severityNumber);
    },
  );

  it.each([25, -1, 'ERROR'])('rejects severityNumber %j', (severityNumber) => {
    const batch = mapOne({ severityNumber });

    expect(batch.items).toHaveLength(0);
    expect(batch.rejected[0]?.reason).toContain('.severityNumber: invalid');
  });
});

describe('mapLogsRequest fields', () => {
  it('keeps dotted resource and record attribute keys flat', () => {
    const resource = resourceOf('authserver', [
      str('app', 'authserver'),
      str('app.kubernetes.io/name', 'authserver'),
      str('app.kubernetes.io/component', 'auth'),
    ]);
    const request = logsRequest(
      [
        logRecord(T0, { attributes: [str('source', 'gateway')] }),
        logRecord(T0, { attributes: [str('source.address', '10.0.0.1')] }),
      ],
      resource,
    );
    const batch = mapLogsRequest(request, RECEIVED);

    expect(batch.items[0]?.resource).toEqual({
      'service.name': { stringValue: 'authserver' },
      app: { stringValue: 'authserver' },
      'app.kubernetes.io/name': { stringValue: 'authserver' },
      'app.kubernetes.io/component': { stringValue: 'auth' },
    });
    expect(batch.items[0]?.attributes).toEqual({
      source: { stringValue: 'gateway' },
    });
    expect(batch.items[1]?.attributes).toEqual({
      'source.address': { stringValue: '10.0.0.1' },
    });
  });

  it('keeps a structured body and renders its text as the message', () => {
    const body = { kvlistValue: { values: [str('event', 'login')] } };
    const item = mapOne({ body }).items[0];

    expect(item?.body).toEqual({
      kvlistValue: {
        values: [{ key: 'event', value: { stringValue: 'login' } }],
      },
    });
    expect(item?.message).toBe('{"event":"login"}');
  });

  it('keeps a string body as the message', () => {
    const item = mapOne({}).items[0];

    expect(item?.body).toEqual({ stringValue: 'order placed' });
    expect(item?.message).toBe('order placed');
  });

  it('lower-cases trace and span ids', () => {
    const item = mapOne({
      traceId: TRACE_ID.toUpperCase(),
      spanId: SPAN_ID.toUpperCase(),
    }).items[0];

    expect(item?.trace_id).toBe(TRACE_ID);
    expect(item?.span_id).toBe(SPAN_ID);
  });

  it('reads absent ids as null', () => {
    const item = mapOne({ traceId: '', spanId: undefined }).items[0];

    expect(item?.trace_id).toBeNull();
    expect(item?.span_id).toBeNull();
  });

  it('rejects a base64 trace id naming the field', () => {
    const batch = mapOne({ traceId: 'nio9wGB0sXVA1U3k5R5zXw==' });

    expect(batch.rejected[0]?.reason).toContain(
      'logRecords[0].traceId: invalid trace id',
    );
  });

  it('keeps the event time and observed time', () => {
    const item = mapOne({ observedTimeUnixNano: at(T0, 7) }).items[0];

    expect(item?.time_unix_nano).toBe(T0);
    expect(item?.observed_time_unix_nano).toBe(T0 + 7n);
  });

  it('uses the observed time when the event time is absent', () => {
    const item = mapOne({
      timeUnixNano: undefined,
      observedTimeUnixNano: at(T0, 7),
    }).items[0];

    expect(item?.time_unix_nano).toBe(T0 + 7n);
  });

  it('uses the receive time when both times are absent', () => {
    const item = mapOne({ timeUnixNano: '0' }).items[0];

    expect(item?.time_unix_nano).toBe(RECEIVED);
    expect(item?.observed_time_unix_nano).toBe(RECEIVED);
  });

  it('rejects an invalid time naming the field', () => {
    const batch = mapOne({ timeUnixNano: '17e9' });

    expect(batch.rejected[0]?.reason).toContain(
      '.timeUnixNano: invalid integer',
    );
  });

  it('takes the service from the resource', () => {
    expect(mapOne({}, resourceOf('billing')).items[0]?.service).toBe('billing');
    expect(mapOne({}).items[0]?.service).toBe('unknown_service');
  });
});
