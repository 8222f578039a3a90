import { describe, expect, it } from 'vitest';
import {
  levelFromPino,
  readMessageFacts,
} from '#shared/streams/log-message.js';
import { findTraceId, w3cTraceIdOf } from '#shared/streams/trace-id.js';

const XRAY = '1-5759e988-bd862e3fe1be46a994272793';
const W3C = '5759e988bd862e3fe1be46a994272793';
const REQUEST_ID = 'c6af9ac6-7b61-11e6-9a41-93e812345678';

describe('w3cTraceIdOf', () => {
  it.each([
    ['an X-Ray trace id', XRAY, W3C],
    ['an X-Ray id in capitals', XRAY.toUpperCase(), W3C],
    ['a trace header', `Root=${XRAY};Parent=53995c3f42cd8ad8;Sampled=1`, W3C],
    ['a W3C trace id', W3C.toUpperCase(), W3C],
    ['an all-zero id', '0'.repeat(32), null],
    ['a short id', '5759e988bd86', null],
    ['a version 2 X-Ray id', '2-5759e988-bd862e3fe1be46a994272793', null],
  ])('maps %s', (_name, input, expected) => {
    expect(w3cTraceIdOf(input)).toBe(expected);
  });
});

describe('findTraceId', () => {
  it.each([
    ['a trace_id pair', `done trace_id=${W3C} in 5 ms`, W3C],
    ['a quoted traceId pair', `"traceId": "${W3C}"`, W3C],
    ['an X-Ray id in text', `segment ${XRAY} closed`, W3C],
    ['no id', 'nothing to see', null],
  ])('finds %s', (_name, text, expected) => {
    expect(findTraceId(text)).toBe(expected);
  });
});

describe('levelFromPino', () => {
  it.each([
    [10, 'TRACE'],
    [20, 'DEBUG'],
    [30, 'INFO'],
    [40, 'WARN'],
    [50, 'ERROR'],
    [60, 'FATAL'],
    [5, 'UNSPECIFIED'],
  ])('maps %i to %s', (level, expected) => {
    expect(levelFromPino(level)).toBe(expected);
  });
});

describe('readMessageFacts', () => {
  it('reads a Powertools log line', () => {
    const line = JSON.stringify({
      level: 'ERROR',
      message: 'payment failed',
      service: 'checkout',
      timestamp: '2026-11-30T10:00:00.000Z',
      xray_trace_id: XRAY,
      function_request_id: REQUEST_ID,
    });

    expect(readMessageFacts(line)).toEqual({
      level: 'ERROR',
      severityText: 'ERROR',
      traceId: W3C,
      spanId: null,
      requestId: REQUEST_ID,
    });
  });

  it('reads a pino line with OpenTelemetry context', () => {
    const line = JSON.stringify({
      level: 40,
      time: 1795996800000,
      msg: 'slow query',
      trace_id: W3C,
      span_id: '53995C3F42CD8AD8',
    });

    expect(readMessageFacts(line)).toMatchObject({
      level: 'WARN',
      severityText: '40',
      traceId: W3C,
      spanId: '53995c3f42cd8ad8',
    });
  });

  it('reads a line of the Lambda JSON log format', () => {
    const line = JSON.stringify({
      timestamp: '2026-11-30T10:00:00Z',
      level: 'WARN',
      requestId: REQUEST_ID,
      message: 'retrying',
      traceId: `Root=${XRAY};Parent=53995c3f42cd8ad8;Sampled=1`,
    });

    expect(readMessageFacts(line)).toMatchObject({
      level: 'WARN',
      traceId: W3C,
      requestId: REQUEST_ID,
    });
  });

  it.each([
    ['a successful platform report', 'success', 'INFO'],
    ['a timed out platform report', 'timeout', 'ERROR'],
  ])('reads %s of the JSON log format', (_name, status, level) => {
    const line = JSON.stringify({
      time: '2026-11-30T10:00:00Z',
      type: 'platform.report',
      record: { requestId: REQUEST_ID, status },
    });

    expect(readMessageFacts(line).level).toBe(level);
  });

  it('drops a span id that comes without a trace id', () => {
    const line = JSON.stringify({ level: 30, span_id: '53995c3f42cd8ad8' });

    expect(readMessageFacts(line).spanId).toBeNull();
  });

  it.each([
    [`START RequestId: ${REQUEST_ID} Version: $LATEST`, 'INFO', ''],
    [`END RequestId: ${REQUEST_ID}`, 'INFO', ''],
    [
      `REPORT RequestId: ${REQUEST_ID}\tDuration: 2.50 ms\tBilled Duration: 3 ms`,
      'INFO',
      '',
    ],
    [
      `REPORT RequestId: ${REQUEST_ID}\tDuration: 3000.00 ms\tStatus: timeout`,
      'ERROR',
      '',
    ],
    [
      `2026-11-30T10:00:03.000Z ${REQUEST_ID} Task timed out after 3.00 seconds`,
      'ERROR',
      '',
    ],
    [
      `[ERROR]\t2026-11-30T10:00:00.000Z\t${REQUEST_ID}\tboom`,
      'ERROR',
      'ERROR',
    ],
    [
      `2026-11-30T10:00:00.000Z\t${REQUEST_ID}\tWARN\tdisk almost full`,
      'WARN',
      'WARN',
    ],
    ['time=12:00 level=error msg="db down"', 'ERROR', 'error'],
    ['lvl=warn retrying', 'WARN', 'warn'],
    ['ERROR: connection refused', 'ERROR', 'ERROR'],
    ['WARNING deprecated flag', 'WARN', 'WARNING'],
    ['an error in lower case is not a level', 'UNSPECIFIED', ''],
    ['plain text', 'UNSPECIFIED', ''],
  ])('reads the level of %j', (line, level, severityText) => {
    const facts = readMessageFacts(line);

    expect(facts.level).toBe(level);
    expect(facts.severityText).toBe(severityText);
  });

  it('reads the request id of a Lambda text line', () => {
    const line = `2026-11-30T10:00:00.000Z\t${REQUEST_ID}\tINFO\tok`;

    expect(readMessageFacts(line).requestId).toBe(REQUEST_ID);
  });

  it('reads an X-Ray trace id from a text line', () => {
    const line = `ERROR handling ${XRAY}: timeout`;

    expect(readMessageFacts(line)).toMatchObject({
      level: 'ERROR',
      traceId: W3C,
    });
  });

  it('reads braces that are not JSON as text', () => {
    expect(readMessageFacts('{not json} ERROR').level).toBe('ERROR');
  });
});
