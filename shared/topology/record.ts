import type { Deps } from '../deps.js';
import type { Span } from '../model/span.js';
import { deriveEdges, observedServices, spanKey } from './edges.js';
import type { EdgeSpan } from './model.js';

/**
 * Updates the service topology after the spans of `items` were written to
 * the trace store: records the services seen and the calls between
 * services that a span of the batch takes part in. `related` contains the
 * stored spans around the batch, as the trace store's `writeWithRelated`
 * returns them, read after the batch was stored. So a parent that arrives
 * after its child completes the pair, in any order, and the first stored
 * span of an id is used rather than a later one with the same id.
 * Repeats are no-ops, so a batch sent again, or retried after this step
 * failed, is safe.
 */
export async function recordTopology(
  deps: Pick<Deps, 'stores' | 'logger'>,
  items: readonly { span: Span }[],
  related: readonly EdgeSpan[],
): Promise<void> {
  if (items.length === 0) return;
  const spans = items.map((item) => item.span);
  const { topology } = deps.stores;
  await topology.recordServices(observedServices(spans));

  const touched = new Set(spans.map((s) => spanKey(s.trace_id, s.span_id)));
  const recorded = await topology.recordEdges(deriveEdges(related, touched));
  if (recorded > 0) {
    deps.logger.debug('topology edges recorded', { edges: recorded });
  }
}
