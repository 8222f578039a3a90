import { describe, expect, it } from 'vitest';
import { ValidationError } from '#shared/errors.js';
import { encodeLogCursor } from '#shared/logs/cursor.js';
import type { LogQuery } from '#shared/model/log.js';
import { searchIndicesOf } from '#shared/store/aws/opensearch/indices.js';
import {
  escapeWildcard,
  levelCountBody,
  searchBody,
  textClauses,
  traceLogsBody,
} from '#shared/store/aws/opensearch/query.js';

const T0_MS = Date.UTC(2026, 0, 15, 12, 0, 0);
const TRACE = '7ca373f7c7e0f17df9965485593768ce';

/** The range clause every query starts with, for T0 to T0 + 10 ms. */
const RANGE = {
  range: {
    timestamp: {
      gte: '2026-01-15T12:00:00.000000000Z',
      lt: '2026-01-15T12:00:00.011000000Z',
      format: 'strict_date_optional_time_nanos',
    },
  },
};

function query(overrides: Partial<LogQuery> = {}): LogQuery {
  return { start_ms: T0_MS, end_ms: T0_MS + 10, limit: 50, ...overrides };
}

function substring(value: string) {
  return { wildcard: { 'message.substring': { value } } };
}

describe('OpenSearch text clauses', () => {
  it('requires every word as a substring', () => {
    expect(textClauses('Connection Refused')).toEqual({
      filter: [substring('*connection*'), substring('*refused*')],
      must_not: [],
    });
  });

  it('keeps a phrase with its spaces as one substring', () => {
    expect(textClauses('"Refused by" upstream')).toEqual({
      filter: [substring('*refused by*'), substring('*upstream*')],
      must_not: [],
    });
  });

  it('excludes words and phrases with must_not', () => {
    expect(textClauses('upstream -reset -"Timed Out"')).toEqual({
      filter: [substring('*upstream*')],
      must_not: [substring('*reset*'), substring('*timed out*')],
    });
  });

  it.each<[string, string]>([
    ['*.log', '*\\*.log*'],
    ['a?b', '*a\\?b*'],
    ['C:\\temp', '*c:\\\\temp*'],
    ['100%', '*100%*'],
    ['user_id', '*user_id*'],
    ["can't", "*can't*"],
    ['level:error', '*level:error*'],
    ['/var/.*$/', '*/var/.\\*$/*'],
  ])('treats %s literally', (text, pattern) => {
    expect(textClauses(text).filter).toEqual([substring(pattern)]);
  });

  it('escapes the three wildcard characters only', () => {
    expect(escapeWildcard('*?\\%_[]')).toBe('\\*\\?\\\\%_[]');
  });

  it('returns no clauses for empty text', () => {
    expect(textClauses('')).toEqual({ filter: [], must_not: [] });
    expect(textClauses('  ""  ')).toEqual({ filter: [], must_not: [] });
  });

  it('never hands the text to a query parser', () => {
    const body = JSON.stringify(
      searchBody(query({ text: 'level:error OR (a AND b) field:*' })),
    );

    expect(body).not.toContain('query_string');
    expect(body).not.toContain('simple_query_string');
    expect(body).not.toContain('"match');
  });
});

describe('OpenSearch search body', () => {
  it('asks for one record above the page, newest first', () => {
    expect(searchBody(query())).toEqual({
      size: 51,
      track_total_hits: false,
      sort: [{ timestamp: { order: 'desc' } }, { log_id: { order: 'desc' } }],
      query: { bool: { filter: [RANGE] } },
    });
  });

  it('ends the range after the last nanosecond of end_ms', () => {
    const body = searchBody(query({ start_ms: 0, end_ms: 999 }));
    const range = (body.query as { bool: { filter: unknown[] } }).bool
      .filter[0];

    expect(range).toEqual({
      range: {
        timestamp: {
          gte: '1970-01-01T00:00:00.000000000Z',
          lt: '1970-01-01T00:00:01.000000000Z',
          format: 'strict_date_optional_time_nanos',
        },
      },
    });
  });

  it('filters service, trace, levels, attributes and text', () => {
    const body = searchBody(
      query({
        service: 'checkout',
        trace_id: TRACE,
        min_level: 'INFO',
        max_level: 'ERROR',
        attributes: { 'app.kubernetes.io/name': 'authserver' },
        text: 'timeout -retry',
      }),
    );

    expect(body.query).toEqual({
      bool: {
        filter: [
          RANGE,
          { term: { service: 'checkout' } },
          { term: { trace_id: TRACE } },
          { terms: { level: ['INFO', 'WARN', 'ERROR'] } },
          {
            bool: {
              should: [
                { term: { 'attributes.app.kubernetes.io/name': 'authserver' } },
                { term: { 'resource.app.kubernetes.io/name': 'authserver' } },
              ],
              minimum_should_match: 1,
            },
          },
          substring('*timeout*'),
        ],
        must_not: [substring('*retry*')],
      },
    });
  });

  it.each<[Partial<LogQuery>, string[]]>([
    [{ min_level: 'ERROR' }, ['ERROR', 'FATAL']],
    [{ max_level: 'DEBUG' }, ['TRACE', 'DEBUG']],
    [
      { min_level: 'TRACE' },
      ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'],
    ],
  ])('lists the levels of %j without UNSPECIFIED', (levels, expected) => {
    const body = searchBody(query(levels));
    const filter = (body.query as { bool: { filter: unknown[] } }).bool.filter;

    expect(filter).toContainEqual({ terms: { level: expected } });
  });

  it('continues after the cursor with an exact nanosecond time', () => {
    const cursor = encodeLogCursor({
      time_unix_nano: 1_768_478_400_123_456_789n,
      log_id: 'evt-9',
    });

    expect(searchBody(query({ cursor })).search_after).toEqual([
      '2026-01-15T12:00:00.123456789Z',
      'evt-9',
    ]);
  });

  it('rejects a cursor it cannot read', () => {
    expect(() => searchBody(query({ cursor: 'not-a-cursor' }))).toThrow(
      ValidationError,
    );
  });
});

describe('OpenSearch level counts', () => {
  it('nests a terms aggregation in a fixed date histogram', () => {
    const body = levelCountBody({
      start_ms: T0_MS,
      end_ms: T0_MS + 10,
      service: 'checkout',
      interval_ms: 420_000,
    });

    expect(body).toEqual({
      size: 0,
      track_total_hits: false,
      query: { bool: { filter: [RANGE, { term: { service: 'checkout' } }] } },
      aggs: {
        buckets: {
          date_histogram: {
            field: 'timestamp',
            fixed_interval: '420000ms',
            min_doc_count: 1,
          },
          aggs: { levels: { terms: { field: 'level', size: 7 } } },
        },
      },
    });
  });
});

describe('OpenSearch trace logs body', () => {
  it('sorts oldest first and pages with search_after', () => {
    const after: [string, string] = ['2026-01-15T12:00:00.000000001Z', 'a'];

    expect(traceLogsBody(TRACE, 1000, after)).toEqual({
      size: 1000,
      track_total_hits: false,
      sort: [{ timestamp: { order: 'asc' } }, { log_id: { order: 'asc' } }],
      query: { bool: { filter: [{ term: { trace_id: TRACE } }] } },
      search_after: after,
    });
  });
});

describe('OpenSearch index selection', () => {
  it('names each UTC day of the range', () => {
    const start = Date.UTC(2026, 0, 30, 23, 0, 0);
    const end = Date.UTC(2026, 1, 1, 0, 0, 0);

    expect(searchIndicesOf('logs', { start_ms: start, end_ms: end })).toBe(
      'logs-2026.01.30,logs-2026.01.31,logs-2026.02.01',
    );
  });

  it('reads every index for a range above 62 days', () => {
    const start = Date.UTC(2026, 0, 1);
    const end = start + 62 * 86_400_000;

    expect(searchIndicesOf('logs', { start_ms: start, end_ms: end })).toBe(
      'logs-*',
    );
  });
});
