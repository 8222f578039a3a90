import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AwsConfig } from '../../../config.js';
import { StoreError } from '../../../errors.js';
import type { Rejection } from '../../../model/report.js';
import type { Span, TraceSummary } from '../../../model/span.js';
import { edgeSpanOf } from '../../../topology/edges.js';
import type { EdgeSpan } from '../../../topology/model.js';
import type {
  OperationStatsQuery,
  OperationStatsResult,
  Page,
  TraceListQuery,
  TraceStore,
  TraceWriteResult,
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
 *
 * Each span takes its own conditional PutItem. BatchWriteItem puts 25
 * items per call but takes no condition. Checking the keys with
 * BatchGetItem first leaves a race, because two Lambdas holding different
 * spans with one id can both find the key missing, and the later put
 * then replaces the first write. Nothing routes a trace or a span id to a
 * single writer, since a trace's spans come from many senders at once.
 * TransactWriteItems keeps the condition for up to 100 puts per call,
 * but it bills twice the write units of a PutItem of the same item,
 * fails the whole call when one span already exists, and is missing from
 * dynalite, the emulator the tests run on.
 */
export class DynamoDbTraceStore implements TraceStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly retentionDays = DEFAULT_RETENTION_DAYS,
  ) {}

  async write(spans: Span[]): Promise<WriteResult> {
    const { result } = await this.writeBatch(spans, false);
    return result;
  }

  /**
   * Stores spans as `write` does and returns the spans that the summary
   * refresh reads anyway, so topology upkeep need not query each trace a
   * second time.
   */
  async writeWithRelated(spans: Span[]): Promise<TraceWriteResult> {
    const { result, related } = await this.writeBatch(spans, true);
    return { ...result, related };
  }

  private async writeBatch(spans: Span[], withRelated: boolean) {
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
    // A trace whose spans were all rejected is read too, because a stored
    // span may have the id of a rejected one.
    const read = withRelated ? spans.map((span) => span.trace_id) : stored;
    const related = await this.refreshSummaries([...new Set(read)], {
      stored,
      withRelated,
    });
    rejected.sort((a, b) => a.index - b.index);
    return { result: { written, duplicates, rejected }, related };
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
   * Reads each trace and rebuilds the summary items of those in `stored`
   * from their stored spans. Spans are only ever added, so a summary built
   * from more spans is the newer one: the put keeps a stored summary that
   * counts as many or more. Duplicates count as stored, so a retry after
   * a failed refresh repairs it. Returns the fields edges need of every
   * span read when `withRelated` is set.
   */
  private async refreshSummaries(
    traceIds: string[],
    options: { stored: ReadonlySet<string>; withRelated: boolean },
  ): Promise<EdgeSpan[]> {
    const traces = await mapLimit(traceIds, CONCURRENCY, async (traceId) => {
      const spans = await this.getTrace(traceId);
      const summaries = options.stored.has(traceId)
        ? summaryItems(spans, this.retentionDays)
        : [];
      const related = options.withRelated ? spans.map(edgeSpanOf) : [];
      return { summaries, related };
    });
    const summaries = traces.flatMap((trace) => trace.summaries);
    await mapLimit(summaries, CONCURRENCY, (item) => this.putSummary(item));
    return traces.flatMap((trace) => trace.related);
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
