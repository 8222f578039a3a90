import { describe, expect, it } from 'vitest';
import { ValidationError } from '#shared/errors.js';
import { encodeTraceCursor } from '#shared/traces/cursor.js';
import {
  DEFAULT_TRACE_LIMIT,
  readTraceListQuery,
} from '#shared/traces/list-query.js';

const NOW_MS = Date.parse('2026-02-20T15:00:00.000Z');

const read = (params: Record<string, string>) =>
  readTraceListQuery('svc-a', params, NOW_MS);

function failure(params: Record<string, string>): ValidationError {
  try {
    read(params);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('readTraceListQuery', () => {
  it('defaults to the last hour and 20 traces', () => {
    const query = read({});

    expect(query.start_ms).toBe(NOW_MS - 3_600_000);
    expect(query.end_ms).toBe(NOW_MS);
    expect(query.limit).toBe(DEFAULT_TRACE_LIMIT);
    expect(query.service).toBe('svc-a');
  });

  it('reads every filter', () => {
    const cursor = encodeTraceCursor({
      start_time_unix_nano: 5n,
      trace_id: 'a'.repeat(32),
    });

    const query = read({
      start: '2026-02-20T14:00:00Z',
      end: String(NOW_MS),
      limit: '100',
      cursor,
      min_duration_ms: '1.5',
      max_duration_ms: '250',
      errors_only: 'true',
      operation: 'GET /',
    });

    expect(query).toMatchObject({
      start_ms: NOW_MS - 3_600_000,
      end_ms: NOW_MS,
      limit: 100,
      cursor,
      min_duration_nano: 1_500_000n,
      max_duration_nano: 250_000_000n,
      errors_only: true,
      operation: 'GET /',
    });
  });

  it('keeps attribute keys exactly as sent', () => {
    const query = read({ 'attr.http.Method': 'GET', 'attr.a=b': '1=2' });

    expect(query.attributes).toEqual({ 'http.Method': 'GET', 'a=b': '1=2' });
  });

  it('ends the default range at the given end', () => {
    const query = read({ end: String(NOW_MS - 60_000) });

    expect(query.start_ms).toBe(NOW_MS - 60_000 - 3_600_000);
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '101' }, 'limit'],
    [{ limit: '2.5' }, 'limit'],
    [{ start: 'soon' }, 'start'],
    [{ end: 'later' }, 'end'],
    [{ start: String(NOW_MS) }, 'start'],
    [{ min_duration_ms: 'fast' }, 'min_duration_ms'],
    [{ max_duration_ms: '-3' }, 'max_duration_ms'],
    [{ min_duration_ms: '9', max_duration_ms: '3' }, 'min_duration_ms'],
    [{ errors_only: '1' }, 'errors_only'],
    [{ operation: '' }, 'operation'],
    [{ cursor: 'garbage' }, 'cursor'],
    [{ 'attr.': 'x' }, 'attr.'],
    [{ servce: 'x' }, 'servce'],
  ])('rejects %o naming the parameter', (params, name) => {
    const error = failure(params);

    expect(error.status).toBe(400);
    expect(error.message).toContain(name);
  });
});

describe('trace cursor', () => {
  it('rejects a cursor with a foreign trace id', () => {
    const token = Buffer.from('5:xyz', 'utf8').toString('base64url');

    expect(failure({ cursor: token }).details[0]?.path).toBe('cursor');
  });
});
