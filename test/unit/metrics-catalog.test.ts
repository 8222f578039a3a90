import { describe, expect, it } from 'vitest';
import { ValidationError } from '#shared/errors.js';
import { parseInput } from '#shared/http/request.js';
import {
  DEFAULT_METRIC_LIST_LIMIT,
  decodeMetricCursor,
  encodeMetricCursor,
  MAX_METRIC_LIST_LIMIT,
  metricListParamsSchema,
  metricListResponse,
  toMetricListQuery,
} from '#shared/metrics/catalog.js';
import { groupLabels } from '#shared/metrics/identity.js';
import type { MetricInfo } from '#shared/model/metric.js';

const parse = (params: Record<string, string>) =>
  parseInput(metricListParamsSchema, params, 'query');

function info(name: string): MetricInfo {
  return {
    name,
    type: 'gauge',
    unit: '1',
    label_keys: ['host'],
    last_seen_ms: Date.parse('2026-03-02T09:00:00.000Z'),
  };
}

describe('metric list parameters', () => {
  it('defaults the limit', () => {
    expect(parse({})).toEqual({ limit: DEFAULT_METRIC_LIST_LIMIT });
  });

  it.each(['0', '-1', '2.5', 'ten', String(MAX_METRIC_LIST_LIMIT + 1)])(
    'rejects limit %s',
    (limit) => {
      expect(() => parse({ limit })).toThrow(/limit/);
    },
  );

  it('requests one metric past the page', () => {
    const query = toMetricListQuery('api', parse({ limit: '2' }));

    expect(query).toEqual({ service: 'api', limit: 3 });
  });
});

describe('metric list cursor', () => {
  it('round-trips a name', () => {
    const name = 'http.server/duration ü';

    expect(decodeMetricCursor(encodeMetricCursor(name))).toBe(name);
  });

  it.each(['', 'not-base64!', Buffer.from('{"x":1}').toString('base64url')])(
    'rejects cursor %j naming the field',
    (cursor) => {
      try {
        decodeMetricCursor(cursor);
        expect.unreachable('expected a ValidationError');
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).details[0]?.path).toBe('cursor');
      }
    },
  );
});

describe('metricListResponse', () => {
  it('adds next_cursor when the store found more', () => {
    const body = metricListResponse(
      'api',
      [info('a'), info('b'), info('c')],
      2,
    );

    expect(body.metrics.map((m) => m.name)).toEqual(['a', 'b']);
    expect(body.next_cursor).toBeDefined();
    expect(decodeMetricCursor(body.next_cursor as string)).toBe('b');
  });

  it('ends without next_cursor on the last page', () => {
    const body = metricListResponse('api', [info('a')], 2);

    expect(body).toEqual({
      service: 'api',
      metrics: [
        {
          name: 'a',
          type: 'gauge',
          unit: '1',
          label_keys: ['host'],
          last_seen: '2026-03-02T09:00:00.000Z',
        },
      ],
    });
  });
});

describe('groupLabels', () => {
  it('reads a canonical label set without group_by', () => {
    expect(groupLabels(undefined, '[["host","a"],["zone","z1"]]')).toEqual({
      host: 'a',
      zone: 'z1',
    });
  });

  it('names group values and drops empty ones', () => {
    expect(groupLabels(['zone', 'host'], '["z1",""]')).toEqual({ zone: 'z1' });
    expect(groupLabels([], '[]')).toEqual({});
  });
});
