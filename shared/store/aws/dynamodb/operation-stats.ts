import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { percentile, sortAscending } from '../../../model/percentile.js';
import type {
  DurationStats,
  OperationStatsQuery,
  OperationStatsResult,
  SpanGroupStats,
} from '../../ports.js';
import { CONCURRENCY, mapLimit } from './batch.js';
import {
  hourBuckets,
  nanosOfMs,
  padNanos,
  SPAN_INDEX_SHARDS,
  SPANS_BY_SERVICE,
  spanIndexKey,
} from './keys.js';
import { queryAll } from './query.js';

/** The fields of a span that statistics read from `spans_by_service`. */
interface SpanStatsItem {
  name: string;
  status_code: string;
  duration_ns: string;
  clock_skew: boolean;
  incomplete: boolean;
}

/** Counts and known durations of one group of spans. */
interface Tally {
  spans: number;
  errors: number;
  durations: bigint[];
}

/** Builds the Query of one index partition, with the query's filters. */
function partitionQuery(
  table: string,
  partition: string,
  query: OperationStatsQuery,
) {
  const values: Record<string, unknown> = {
    ':pk': partition,
    ':low': padNanos(nanosOfMs(query.start_ms)),
    ':high': `${padNanos(nanosOfMs(query.end_ms) - 1n)}#~`,
  };
  const filters: string[] = [];
  if (query.span_kinds !== undefined) {
    const names = query.span_kinds.map((kind, i) => {
      values[`:kind${i}`] = kind;
      return `:kind${i}`;
    });
    filters.push(`#kind IN (${names.join(', ')})`);
  }
  if (query.roots_only) filters.push('attribute_not_exists(parent_span_id)');
  return {
    TableName: table,
    IndexName: SPANS_BY_SERVICE,
    KeyConditionExpression:
      'span_index_pk = :pk AND span_index_sk BETWEEN :low AND :high',
    ProjectionExpression:
      '#name, status_code, duration_ns, clock_skew, incomplete',
    ExpressionAttributeNames: {
      '#name': 'name',
      ...(query.span_kinds ? { '#kind': 'kind' } : {}),
    },
    ExpressionAttributeValues: values,
    ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
  };
}

function partitionsOf(query: OperationStatsQuery): string[] {
  const partitions: string[] = [];
  for (const hour of hourBuckets(query.start_ms, query.end_ms)) {
    for (let shard = 0; shard < SPAN_INDEX_SHARDS; shard += 1) {
      partitions.push(spanIndexKey(query.service, hour, shard));
    }
  }
  return partitions;
}

function add(tally: Tally, item: SpanStatsItem) {
  tally.spans += 1;
  if (item.status_code === 'error') tally.errors += 1;
  if (!item.clock_skew && !item.incomplete) {
    tally.durations.push(BigInt(item.duration_ns));
  }
}

const newTally = (): Tally => ({ spans: 0, errors: 0, durations: [] });

/**
 * Summarizes durations: the mean divides the exact sum, and percentiles
 * follow shared/model/percentile.ts, as DuckDB's `quantile_cont` does.
 */
export function durationStats(durations: bigint[]): DurationStats {
  const sorted = sortAscending(durations.map(Number));
  const sum = durations.reduce((total, value) => total + value, 0n);
  const count = sorted.length;
  return {
    count,
    min_nano: sorted[0] ?? null,
    max_nano: sorted.at(-1) ?? null,
    mean_nano: count ? Number(sum) / count : null,
    p50_nano: percentile(sorted, 0.5),
    p90_nano: percentile(sorted, 0.9),
    p95_nano: percentile(sorted, 0.95),
    p99_nano: percentile(sorted, 0.99),
  };
}

function groupStats(tally: Tally): SpanGroupStats {
  return {
    span_count: tally.spans,
    error_count: tally.errors,
    duration: durationStats(tally.durations),
  };
}

function byCountThenName(
  a: { span_count: number; operation: string },
  b: { span_count: number; operation: string },
): number {
  if (a.span_count !== b.span_count) return b.span_count - a.span_count;
  return a.operation < b.operation ? -1 : 1;
}

/**
 * Computes operation statistics from the service's spans in
 * `spans_by_service`: every hour and shard of the range is queried and
 * the spans are aggregated here. Each span is one index item, so a span
 * stored once counts once.
 *
 * NOTE: the cost grows with the number of spans in the range, because
 * DynamoDB cannot aggregate; the statistics route caps the range.
 */
export async function operationStats(
  client: DynamoDBDocumentClient,
  table: string,
  query: OperationStatsQuery,
): Promise<OperationStatsResult> {
  const byName = new Map<string, Tally>();
  const total = newTally();
  const skip = query.span_kinds?.length === 0 || query.end_ms <= query.start_ms;
  const partitions = skip ? [] : partitionsOf(query);

  await mapLimit(partitions, CONCURRENCY, async (partition) => {
    const items = await queryAll<SpanStatsItem>(
      client,
      partitionQuery(table, partition, query),
    );
    for (const item of items) {
      const tally = byName.get(item.name) ?? newTally();
      byName.set(item.name, tally);
      add(tally, item);
      add(total, item);
    }
  });

  const operations = [...byName]
    .map(([operation, tally]) => ({ operation, ...groupStats(tally) }))
    .sort(byCountThenName);
  return { operations, total: groupStats(total) };
}
