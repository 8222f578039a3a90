import type { Deps } from '../deps.js';
import type { MetricPoint } from '../model/metric.js';
import type { IngestReport, Rejection } from '../model/report.js';
import type { IngestWindow } from '../model/time.js';
import { capPointValues } from './caps.js';
import { type IndexedPoint, resolveBatchConflicts } from './conflicts.js';
import { describeProblem, pointProblem } from './rules.js';

/** Builds the ingest window that `deps` configures, on its clock. */
export function ingestWindow(deps: Deps): IngestWindow {
  return {
    clock: deps.clock,
    maxAgeMs: deps.config.ingestMaxAgeMs,
    maxFutureMs: deps.config.ingestMaxFutureMs,
  };
}

function checkPoints(items: IndexedPoint[], window: IngestWindow) {
  const valid: IndexedPoint[] = [];
  const rejected: Rejection[] = [];
  for (const item of items) {
    const problem = pointProblem(item.point, window);
    if (problem) {
      rejected.push({ index: item.index, reason: describeProblem(problem) });
    } else {
      valid.push({ ...item, point: capPointValues(item.point) });
    }
  }
  return { valid, rejected };
}

/**
 * Validates domain points, resolves conflicts inside the batch and writes
 * the rest to the metric store. Every rejection carries the point's index
 * in `points`, whether validation, the batch or the store rejected it.
 *
 * Conflict rule, the same within a batch and across requests: a
 * measurement is a series (service, name, sorted labels, start time) at
 * one timestamp, and the first value stored for it is kept. A repeat with
 * the same value counts as accepted and changes nothing. A different value
 * is rejected with a reason. Conflicts within a batch are rejected here,
 * before the store, and conflicts across requests by the store, so every
 * adapter reports them the same way.
 */
export function ingestMetricPoints(
  deps: Deps,
  points: MetricPoint[],
): Promise<IngestReport> {
  const items = points.map((point, index) => ({ index, point }));
  return ingestIndexedPoints(deps, items);
}

/**
 * Ingests points that carry their own request indexes, as
 * {@link ingestMetricPoints} does. A caller that set some items aside
 * earlier still gets rejections and reasons in the request's numbering.
 */
export async function ingestIndexedPoints(
  deps: Deps,
  items: IndexedPoint[],
): Promise<IngestReport> {
  // NOTE: a point whose type differs from the stored points of the same
  // service and name (a gauge sent as `http.requests`, a counter) is
  // stored, and queries then mix the two types. Rejecting it needs a
  // per-metric type record that no store keeps yet.
  const checked = checkPoints(items, ingestWindow(deps));
  const batch = resolveBatchConflicts(checked.valid);
  const rejected = [...checked.rejected, ...batch.rejected];

  let stored = 0;
  if (batch.unique.length > 0) {
    const result = await deps.stores.metrics.write(
      batch.unique.map((item) => item.point),
    );
    stored = result.written + result.duplicates;
    for (const rejection of result.rejected) {
      const original = batch.unique[rejection.index]?.index ?? -1;
      rejected.push({ index: original, reason: rejection.reason });
    }
  }

  rejected.sort((a, b) => a.index - b.index);
  if (rejected.length > 0) {
    deps.logger.warn('metric points rejected', {
      rejected: rejected.length,
      received: items.length,
      first_reason: rejected[0]?.reason,
    });
  }
  return { accepted: stored + batch.repeats, rejected };
}
