import { z } from 'zod';
import { parseInput } from '#shared/http/request.js';

/** Slowest spans listed when the request gives no `limit`. */
export const DEFAULT_ANALYSIS_LIMIT = 10;
/** Maximum `limit` of `GET /traces/{trace_id}/analyze`. */
export const MAX_ANALYSIS_LIMIT = 100;

const analysisParamsSchema = z.strictObject({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_ANALYSIS_LIMIT)
    .default(DEFAULT_ANALYSIS_LIMIT),
});

/**
 * Reads the query string of `GET /traces/{trace_id}/analyze`: `limit` is
 * how many of the slowest spans to list. Unknown parameters are a 400.
 */
export function readAnalysisQuery(params: Record<string, string>): {
  limit: number;
} {
  return parseInput(analysisParamsSchema, params, 'query');
}
