import { formatPath } from '../http/zod-details.js';
import type { AnyValue, Attributes } from '../model/attributes.js';
import type { MetricPoint } from '../model/metric.js';
import type { IngestWindow } from '../model/time.js';
import { type PointProblem, pointProblem } from './rules.js';
import { type ApiPoint, apiPointSchema } from './schema.js';

/** A point from the JSON API: mapped to the domain, or why it is not. */
export type ApiPointResult =
  | { ok: true; point: MetricPoint }
  | { ok: false; problem: PointProblem };

function stringAttributes(labels: Record<string, string>): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(labels)) {
    out[key] = { stringValue: value } satisfies AnyValue;
  }
  return out;
}

function emptyPoint(input: ApiPoint, nowMs: number): MetricPoint {
  const labels = input.labels ?? {};
  return {
    service: input.service,
    name: input.name,
    type: input.type,
    unit: input.unit ?? '',
    labels,
    timestamp_ms: input.timestamp ?? nowMs,
    start_timestamp_ms: input.start_timestamp ?? null,
    temporality: null,
    monotonic: null,
    value: null,
    histogram: null,
    exponential_histogram: null,
    summary: null,
    attributes: stringAttributes(labels),
    resource: { 'service.name': { stringValue: input.service } },
    scope: null,
  };
}

/**
 * Maps a parsed API point to a domain point. A timestamp left out is
 * `nowMs`. Counters are monotonic and, like histograms, cumulative unless
 * the request sets delta.
 */
export function toMetricPoint(input: ApiPoint, nowMs: number): MetricPoint {
  const point = emptyPoint(input, nowMs);
  switch (input.type) {
    case 'counter':
      point.value = input.value;
      point.monotonic = true;
      point.temporality = input.temporality ?? 'cumulative';
      break;
    case 'gauge':
      point.value = input.value;
      break;
    case 'histogram':
      point.temporality = input.temporality ?? 'cumulative';
      point.histogram = {
        bounds: input.buckets.bounds,
        counts: input.buckets.counts,
        count: input.count,
        sum: input.sum,
        min: input.min ?? null,
        max: input.max ?? null,
      };
      break;
    case 'summary':
      point.summary = {
        count: input.count,
        sum: input.sum,
        quantiles: input.quantiles,
      };
      break;
  }
  return point;
}

/**
 * Parses one point of a request and checks it against the ingest window.
 * A problem names the field as the request spelled it.
 */
export function parseApiPoint(
  raw: unknown,
  window: IngestWindow,
): ApiPointResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return {
      ok: false,
      problem: {
        field: 'point',
        message:
          'must be a JSON object with service, name, type and the fields ' +
          'of that type',
      },
    };
  }
  const parsed = apiPointSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      problem: {
        field: formatPath(issue?.path ?? []),
        message: issue?.message ?? 'is invalid',
      },
    };
  }
  const point = toMetricPoint(parsed.data, window.clock.now());
  const problem = pointProblem(point, window);
  return problem ? { ok: false, problem } : { ok: true, point };
}
