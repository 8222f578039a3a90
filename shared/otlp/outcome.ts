import type { IngestReport } from '../model/report.js';
import type { MappedBatch, MappingRejection } from './batch.js';
import type { PartialSuccess } from './protobuf.js';

/** The singular and plural name of a signal's items, for messages. */
export interface ItemNoun {
  one: string;
  many: string;
}

/** Formats `count` with the singular or plural noun. */
export function countNoun(count: number, noun: ItemNoun): string {
  return count === 1 ? noun.one : noun.many;
}

/** Maximum number of reasons quoted in a partial-success message. */
const MAX_REASONS = 5;

/**
 * Lists every rejected item of an export: those the mapping rejected and those
 * the domain rejected, the latter named by their place in the request.
 */
export function rejectionsOf<T>(
  batch: MappedBatch<T>,
  report: IngestReport,
): MappingRejection[] {
  const fromDomain = report.rejected.map((rejection) => {
    const location =
      batch.locations[rejection.index] ?? `item ${rejection.index}`;
    return { location, reason: `${location}: ${rejection.reason}` };
  });
  return [...batch.rejected, ...fromDomain];
}

/**
 * Summarizes rejections as an OTLP partial success: the count, and a
 * message quoting the first reasons. Undefined when nothing was rejected.
 */
export function partialSuccessOf(
  rejections: MappingRejection[],
  noun: ItemNoun,
): PartialSuccess | undefined {
  if (rejections.length === 0) return undefined;
  const quoted = rejections.slice(0, MAX_REASONS).map((item) => item.reason);
  const more = rejections.length - quoted.length;
  return {
    rejected: rejections.length,
    errorMessage:
      `${rejections.length} ${countNoun(rejections.length, noun)} rejected: ` +
      `${quoted.join('; ')}` +
      (more > 0 ? `; and ${more} more` : ''),
  };
}
