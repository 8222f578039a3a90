import type { Deps } from '../deps.js';
import type { Span } from '../model/span.js';
import { deriveEdges, observedServices, spanKey } from './edges.js';

/**
 * Maximum number of traces read back in one call. On DuckDB each read
 * scans the span table once: about 150 ms for 500 traces and 240 ms for
 * 2,000 among 2 million spans (2 cores, DuckDB 1.5). Fewer, larger reads
 * are cheaper, and this size still bounds the spans held in memory.
 */
const TRACES_PER_READ = 2_000;

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    chunks.push(items.slice(i, i + size));
  }
  return chunks;
}

/**
 * Updates the service topology after the spans of `items` were written to
 * the trace store: records the services seen and, for every trace the
 * batch touched, the calls between services that a span of the batch
 * takes part in. Reading the stored traces lets a parent that arrives
 * after its child complete the pair, in any order. Repeats are no-ops, so
 * a batch sent again, or retried after this step failed, is safe.
 *
 * NOTE: each batch reads back its whole traces, so the cost grows with
 * trace size. A trace of many thousands of spans sent in small batches is
 * read many times.
 */
export async function recordTopology(
  deps: Pick<Deps, 'stores' | 'logger'>,
  items: readonly { span: Span }[],
): Promise<void> {
  if (items.length === 0) return;
  const spans = items.map((item) => item.span);
  const { traces, topology } = deps.stores;
  await topology.recordServices(observedServices(spans));

  const touched = new Set(spans.map((s) => spanKey(s.trace_id, s.span_id)));
  const traceIds = [...new Set(spans.map((span) => span.trace_id))];
  let recorded = 0;
  for (const ids of chunk(traceIds, TRACES_PER_READ)) {
    const stored = await traces.getTraces(ids);
    recorded += await topology.recordEdges(deriveEdges(stored, touched));
  }
  if (recorded > 0) {
    deps.logger.debug('topology edges recorded', { edges: recorded });
  }
}
