import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AwsConfig } from '../../../config.js';
import { StoreError } from '../../../errors.js';
import type { Rejection } from '../../../model/report.js';
import type { Span, TraceSummary } from '../../../model/span.js';
import type {
  OperationStatsQuery,
  OperationStatsResult,
  Page,
  TraceListQuery,
  TraceStore,
  WriteResult,
} from '../../ports.js';
import { CONCURRENCY, mapLimit } from './batch.js';
import {
  createDocumentClient,
  describeError,
  isConditionFailure,
  tracesTableName,
} from './client.js';
import { spanItemProblem } from './item-size.js';
import { DEFAULT_RETENTION_DAYS, SPAN_PREFIX, traceKey } from './keys.js';
import { operationStats } from './operation-stats.js';
import { queryAll } from './query.js';
import { type SpanItem, spanFromItem, spanToItem } from './span-item.js';
import { listTraces } from './trace-list.js';
import { type SummaryItem, summaryItems } from './trace-summary.js';

/** Options of the DynamoDB trace and topology stores. */
export interface TraceTableOptions {
  /** Days items are kept after their event time; 30 when left out. */
  retentionDays?: number;
}

type PutOutcome = 'written' | 'duplicate' | { reason: string };

/** Spans to put, each with its index in the batch, and what was left out. */
function prepare(spans: Span[], retentionDays: number) {
  const seen = new Set<string>();
  const puts: { index: number; item: SpanItem }[] = [];
  const rejected: Rejection[] = [];
  let repeats = 0;
  for (const [index, span] of spans.entries()) {
    const key = `${span.trace_id}/${span.span_id}`;
    if (seen.has(key)) {
      repeats += 1;
      continue;
    }
    const item = spanToItem(span, retentionDays);
    const problem = spanItemProblem(span.service, item);
    if (problem) {
      rejected.push({ index, reason: problem });
      continue;
    }
    seen.add(key);
    puts.push({ index, item });
  }
  return { puts, rejected, repeats };
}

/**
 * The trace store on DynamoDB; keys.ts describes the items. A span is
 * put only where none with its key exists, so the first write of a key
 * wins and a repeat is a no-op. After the spans, the summary items of
 * every trace the batch touched are rebuilt from the stored trace.
 */
export class DynamoDbTraceStore implements TraceStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly retentionDays = DEFAULT_RETENTION_DAYS,
  ) {}

  async write(spans: Span[]): Promise<WriteResult> {
    const { puts, rejected, repeats } = prepare(spans, this.retentionDays);
    const outcomes = await mapLimit(puts, CONCURRENCY, ({ item }) =>
      this.putSpan(item),
    );

    let written = 0;
    let duplicates = repeats;
    const stored = new Set<string>();
    for (const [i, outcome] of outcomes.entries()) {
      const put = puts[i] as (typeof puts)[number];
      if (typeof outcome === 'object') {
        rejected.push({ index: put.index, reason: outcome.reason });
        continue;
      }
      if (outcome === 'written') written += 1;
      else duplicates += 1;
      stored.add(put.item.trace_id);
    }
    // Duplicates count too: a retry after a failed refresh repairs it.
    await this.refreshSummaries([...stored]);
    rejected.sort((a, b) => a.index - b.index);
    return { written, duplicates, rejected };
  }

  private async putSpan(item: SpanItem): Promise<PutOutcome> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'written';
    } catch (error) {
      if (isConditionFailure(error)) return 'duplicate';
      if (error instanceof Error && error.name === 'ValidationException') {
        return { reason: `DynamoDB rejected the span: ${error.message}` };
      }
      throw new StoreError(
        `writing spans failed: ${describeError(error)}`,
        error,
      );
    }
  }

  /**
   * Rebuilds the summary items of each trace from its stored spans. Spans
   * are only ever added, so a summary built from more spans is the newer
   * one: the put keeps a stored summary that counts as many or more.
   */
  private async refreshSummaries(traceIds: string[]): Promise<void> {
    const items = await mapLimit(traceIds, CONCURRENCY, async (traceId) =>
      summaryItems(await this.getTrace(traceId), this.retentionDays),
    );
    await mapLimit(items.flat(), CONCURRENCY, (item) => this.putSummary(item));
  }

  private async putSummary(item: SummaryItem): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression:
            'attribute_not_exists(pk) OR span_count < :span_count',
          ExpressionAttributeValues: { ':span_count': item.span_count },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return;
      throw new StoreError(
        `writing the summary of trace ${item.trace_id} failed: ` +
          describeError(error),
        error,
      );
    }
  }

  async getTrace(traceId: string): Promise<Span[]> {
    const items = await queryAll<SpanItem>(this.client, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :span)',
      ExpressionAttributeValues: {
        ':pk': traceKey(traceId),
        ':span': SPAN_PREFIX,
      },
      ConsistentRead: true,
    });
    return items.map(spanFromItem);
  }

  async getTraces(traceIds: string[]): Promise<Span[]> {
    const unique = [...new Set(traceIds)];
    const traces = await mapLimit(unique, CONCURRENCY, (traceId) =>
      this.getTrace(traceId),
    );
    return traces.flat();
  }

  listTraces(query: TraceListQuery): Promise<Page<TraceSummary>> {
    return listTraces(
      {
        client: this.client,
        table: this.table,
        loadTrace: (traceId) => this.getTrace(traceId),
      },
      query,
    );
  }

  operationStats(query: OperationStatsQuery): Promise<OperationStatsResult> {
    return operationStats(this.client, this.table, query);
  }
}

/**
 * Creates the DynamoDB trace store. Fails at once, naming the variable,
 * when OBSERVATORY_TRACES_TABLE or AWS_REGION is not set.
 */
export function createDynamoDbTraceStore(
  aws: AwsConfig,
  options: TraceTableOptions = {},
): TraceStore {
  const table = tracesTableName(aws);
  return new DynamoDbTraceStore(
    createDocumentClient(aws),
    table,
    options.retentionDays,
  );
}
