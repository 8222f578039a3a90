import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { percentile, sortAscending } from '../../../model/percentile.js';
import type { EdgeObservation, EdgeStats } from '../../../topology/model.js';
import type { EdgeStatsQuery } from '../../ports.js';
import { CONCURRENCY, mapLimit } from './batch.js';
import {
  EDGE_INDEX_SHARDS,
  EDGE_PREFIX,
  EDGES_BY_TIME,
  edgeIndexKey,
  expiresAt,
  hourBucket,
  hourBuckets,
  msOfNanos,
  nanosOfMs,
  padNanos,
  shardOf,
  traceKey,
} from './keys.js';
import { compareText } from './order.js';
import { queryAll } from './query.js';

/**
 * An observed call as stored, in its trace's partition. Times are
 * decimal strings; `duration_ns` is absent when the duration is unknown.
 */
export interface EdgeItem {
  pk: string;
  sk: string;
  source: string;
  target: string;
  time_ns: string;
  duration_ns?: string;
  failed: boolean;
  edge_index_pk: string;
  edge_index_sk: string;
  expires_at: number;
}

/** Builds the item of an observation, with its index keys and expiry. */
export function edgeItem(
  observation: EdgeObservation,
  retentionDays: number,
): EdgeItem {
  const timeMs = msOfNanos(observation.time_unix_nano);
  const shard = shardOf(observation.child_span_id, EDGE_INDEX_SHARDS);
  const item: EdgeItem = {
    pk: traceKey(observation.trace_id),
    sk: `${EDGE_PREFIX}${observation.child_span_id}`,
    source: observation.source,
    target: observation.target,
    time_ns: observation.time_unix_nano.toString(),
    failed: observation.failed,
    edge_index_pk: edgeIndexKey(hourBucket(timeMs), shard),
    edge_index_sk:
      `${padNanos(observation.time_unix_nano)}#` +
      `${observation.trace_id}#${observation.child_span_id}`,
    expires_at: expiresAt(timeMs, retentionDays),
  };
  if (observation.duration_nano !== null) {
    item.duration_ns = observation.duration_nano.toString();
  }
  return item;
}

type StoredEdge = Pick<EdgeItem, 'source' | 'target' | 'failed'> & {
  duration_ns?: string;
};

interface EdgeTally {
  source: string;
  target: string;
  calls: number;
  errors: number;
  durations: number[];
}

function partitionsOf(query: EdgeStatsQuery): string[] {
  const partitions: string[] = [];
  for (const hour of hourBuckets(query.start_ms, query.end_ms)) {
    for (let shard = 0; shard < EDGE_INDEX_SHARDS; shard += 1) {
      partitions.push(edgeIndexKey(hour, shard));
    }
  }
  return partitions;
}

function readPartition(
  client: DynamoDBDocumentClient,
  table: string,
  partition: string,
  query: EdgeStatsQuery,
): Promise<StoredEdge[]> {
  return queryAll<StoredEdge>(client, {
    TableName: table,
    IndexName: EDGES_BY_TIME,
    KeyConditionExpression:
      'edge_index_pk = :pk AND edge_index_sk BETWEEN :low AND :high',
    ProjectionExpression: '#source, target, failed, duration_ns',
    ExpressionAttributeNames: { '#source': 'source' },
    ExpressionAttributeValues: {
      ':pk': partition,
      ':low': padNanos(nanosOfMs(query.start_ms)),
      ':high': `${padNanos(nanosOfMs(query.end_ms) - 1n)}#~`,
    },
  });
}

function keeps(query: EdgeStatsQuery, edge: StoredEdge): boolean {
  if (query.sources && !query.sources.includes(edge.source)) return false;
  return !query.targets || query.targets.includes(edge.target);
}

function toStats(tally: EdgeTally): EdgeStats {
  return {
    source: tally.source,
    target: tally.target,
    call_count: tally.calls,
    error_count: tally.errors,
    p95_duration_nano: percentile(sortAscending(tally.durations), 0.95),
  };
}

/**
 * Aggregates the calls in [start_ms, end_ms) per source and target from
 * every hour and shard of `edges_by_time`, sorted by source then target.
 * The p95 follows shared/model/percentile.ts over known durations.
 */
export async function edgeStats(
  client: DynamoDBDocumentClient,
  table: string,
  query: EdgeStatsQuery,
): Promise<EdgeStats[]> {
  if (query.sources?.length === 0 || query.targets?.length === 0) return [];
  const tallies = new Map<string, EdgeTally>();
  await mapLimit(partitionsOf(query), CONCURRENCY, async (partition) => {
    for (const edge of await readPartition(client, table, partition, query)) {
      if (!keeps(query, edge)) continue;
      const key = JSON.stringify([edge.source, edge.target]);
      const tally = tallies.get(key) ?? {
        source: edge.source,
        target: edge.target,
        calls: 0,
        errors: 0,
        durations: [],
      };
      tallies.set(key, tally);
      tally.calls += 1;
      if (edge.failed) tally.errors += 1;
      if (edge.duration_ns !== undefined) {
        tally.durations.push(Number(edge.duration_ns));
      }
    }
  });
  return [...tallies.values()]
    .map(toStats)
    .sort(
      (a, b) =>
        compareText(a.source, b.source) || compareText(a.target, b.target),
    );
}
