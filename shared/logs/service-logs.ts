import { z } from 'zod';
import { limitParam } from '#shared/http/query-params.js';
import { parseInput } from '#shared/http/request.js';
import { unknownParamError } from '#shared/http/zod-details.js';
import type { LogQuery } from '#shared/model/log.js';
import { timestampSchema } from '#shared/model/time.js';
import { checkLogRange } from './range.js';
import {
  checkSearchFields,
  type LogSearchInput,
  levelNameSchema,
  logQueryOf,
  MAX_LOG_LIMIT,
  searchTextSchema,
} from './search.js';

/** Parameters every log list of a service takes. */
const listParams = {
  start: timestampSchema.optional(),
  end: timestampSchema.optional(),
  limit: limitParam(MAX_LOG_LIMIT).optional(),
  cursor: z.string().optional(),
  query: searchTextSchema.optional(),
};

const serviceLogShape = {
  ...listParams,
  min_level: levelNameSchema.optional(),
  max_level: levelNameSchema.optional(),
};

const serviceLogParams = z
  .strictObject(serviceLogShape, {
    error: unknownParamError(Object.keys(serviceLogShape)),
  })
  .superRefine(checkSearchFields);

const errorLogParams = z
  .strictObject(listParams, {
    error: unknownParamError(Object.keys(listParams)),
  })
  .superRefine(checkSearchFields);

function listQuery(
  service: string,
  input: LogSearchInput,
  nowMs: number,
): LogQuery {
  const query = logQueryOf({ ...input, service }, nowMs);
  checkLogRange(query);
  return query;
}

/**
 * Reads the query string of `GET /logs/service/{service_id}` into a log
 * search of that service. Raises a 400 naming the parameter when one is
 * invalid or unknown, or when the range is backwards or too long.
 */
export function readServiceLogQuery(
  service: string,
  params: Record<string, string>,
  nowMs: number,
): LogQuery {
  const input = parseInput(serviceLogParams, params, 'query');
  return listQuery(service, input, nowMs);
}

/**
 * Reads the query string of `GET /logs/errors/{service_id}` into a search
 * for the service's ERROR and FATAL records. It takes the same parameters
 * as the service route except the level bounds, which it fixes.
 */
export function readErrorLogQuery(
  service: string,
  params: Record<string, string>,
  nowMs: number,
): LogQuery {
  const input = parseInput(errorLogParams, params, 'query');
  return { ...listQuery(service, input, nowMs), min_level: 'ERROR' };
}
