import { type AwsConfig, requireSetting } from '#shared/config.js';
import { encodeLogCursor } from '#shared/logs/cursor.js';
import type { LogLevel, LogQuery, LogRecord } from '#shared/model/log.js';
import type { Rejection } from '#shared/model/report.js';
import type {
  LogCountQuery,
  LogLevelCount,
  LogStore,
  Page,
  WriteResult,
} from '../../ports.js';
import {
  type BulkEntry,
  type BulkOptions,
  createEntry,
  DEFAULT_BULK_OPTIONS,
  writeBulk,
} from './bulk.js';
import {
  createOpenSearchClient,
  failureOf,
  type OpenSearchTransport,
  transportOf,
} from './client.js';
import {
  documentOf,
  isoFromNanos,
  type LogDocument,
  recordOf,
} from './document.js';
import { dailyIndexOf, searchIndicesOf } from './indices.js';
import { levelCountBody, searchBody, traceLogsBody } from './query.js';

/**
 * Page size when reading a trace's logs. OpenSearch refuses a `size`
 * above `index.max_result_window` (10,000 by default), so longer lists
 * are read in pages with `search_after`.
 */
const TRACE_PAGE_SIZE = 1_000;

interface SearchHit {
  _source: LogDocument;
}

interface SearchResponseBody {
  hits?: { hits?: SearchHit[] };
  aggregations?: {
    buckets?: {
      buckets?: {
        key: number;
        levels?: { buckets?: { key: string; doc_count: number }[] };
      }[];
    };
  };
}

/**
 * OpenSearch's limit on a document id, in UTF-8 bytes. A longer id fails
 * the whole `_bulk` request, so such a record is rejected before it.
 */
export const MAX_DOCUMENT_ID_BYTES = 512;

/** The operations of a write and what was settled before sending. */
interface WritePlan {
  entries: BulkEntry[];
  rejected: Rejection[];
  /** Records whose id came earlier in the batch: duplicates. */
  repeats: number;
}

/**
 * Turns records into `create` operations on their day's index. Only the
 * first record of each log id is sent, as the DuckDB store keeps it.
 */
export function planWrite(records: LogRecord[], prefix: string): WritePlan {
  const plan: WritePlan = { entries: [], rejected: [], repeats: 0 };
  const seen = new Set<string>();
  for (const [index, record] of records.entries()) {
    const id = record.log_id;
    const bytes = Buffer.byteLength(id, 'utf8');
    if (bytes > MAX_DOCUMENT_ID_BYTES) {
      const reason =
        `log id of ${bytes} bytes exceeds OpenSearch's limit of ` +
        `${MAX_DOCUMENT_ID_BYTES} bytes for a document id; send a shorter id`;
      plan.rejected.push({ index, reason });
    } else if (seen.has(id)) plan.repeats += 1;
    else {
      seen.add(id);
      const name = dailyIndexOf(prefix, record.time_unix_nano);
      plan.entries.push(createEntry(index, name, id, documentOf(record)));
    }
  }
  return plan;
}

/**
 * Log records in daily OpenSearch indices `prefix-YYYY.MM.DD` (UTC), made
 * from the index template of template.ts. A record is a document whose
 * id is its log id, written with `create`, so a record sent again (same
 * time, so same index) is a no-op. Unlike the DuckDB store, a write is
 * visible to searches only after the index refreshes (every second by
 * default).
 *
 * NOTE: ids are unique per daily index, so a source that reuses an id on
 * another UTC day stores both records, where the DuckDB store keeps the
 * first.
 */
export class OpenSearchLogStore implements LogStore {
  constructor(
    private readonly transport: OpenSearchTransport,
    private readonly indexPrefix: string,
    private readonly bulkOptions: BulkOptions = DEFAULT_BULK_OPTIONS,
  ) {}

  async write(records: LogRecord[]): Promise<WriteResult> {
    const plan = planWrite(records, this.indexPrefix);
    const result = await writeBulk(
      this.transport,
      plan.entries,
      this.bulkOptions,
    );
    const rejected = [...plan.rejected, ...result.rejected];
    rejected.sort((a, b) => a.index - b.index);
    return {
      written: result.written,
      duplicates: result.duplicates + plan.repeats,
      rejected,
    };
  }

  async search(query: LogQuery): Promise<Page<LogRecord>> {
    const indices = searchIndicesOf(this.indexPrefix, query);
    const body = await this.searchIn(indices, searchBody(query));
    const records = (body.hits?.hits ?? []).map((hit) => recordOf(hit._source));
    const items = records.slice(0, query.limit);
    const last = items.at(-1);
    if (records.length <= query.limit || !last) return { items };
    return { items, next_cursor: encodeLogCursor(last) };
  }

  async getTraceLogs(traceId: string, limit: number): Promise<LogRecord[]> {
    const indices = `${this.indexPrefix}-*`;
    const records: LogRecord[] = [];
    let after: [string, string] | undefined;
    while (records.length < limit) {
      const size = Math.min(TRACE_PAGE_SIZE, limit - records.length);
      const body = await this.searchIn(
        indices,
        traceLogsBody(traceId, size, after),
      );
      const page = (body.hits?.hits ?? []).map((hit) => recordOf(hit._source));
      records.push(...page);
      const last = page.at(-1);
      if (page.length < size || !last) break;
      after = [isoFromNanos(last.time_unix_nano), last.log_id];
    }
    return records;
  }

  async levelCounts(query: LogCountQuery): Promise<LogLevelCount[]> {
    const indices = searchIndicesOf(this.indexPrefix, query);
    const body = await this.searchIn(indices, levelCountBody(query));
    const counts: LogLevelCount[] = [];
    for (const bucket of body.aggregations?.buckets?.buckets ?? []) {
      for (const level of bucket.levels?.buckets ?? []) {
        counts.push({
          bucket_ms: bucket.key,
          level: level.key as LogLevel,
          count: level.doc_count,
        });
      }
    }
    return counts;
  }

  /**
   * Searches the named indices. Days without an index are skipped, and
   * no index at all gives an empty result rather than a 404.
   */
  private async searchIn(
    indices: string,
    body: Record<string, unknown>,
  ): Promise<SearchResponseBody> {
    const response = await this.transport.send({
      method: 'POST',
      path: `/${encodeURIComponent(indices)}/_search`,
      querystring: { ignore_unavailable: 'true', allow_no_indices: 'true' },
      body,
    });
    if (response.statusCode !== 200) {
      throw failureOf('log search', response);
    }
    return response.body as SearchResponseBody;
  }
}

/**
 * Creates the OpenSearch log store for STORAGE=aws. Raises ConfigError
 * at cold start when OBSERVATORY_OPENSEARCH_ENDPOINT or AWS_REGION is
 * missing. The index template must already exist (see
 * ensureIndexTemplate in template.ts); this function calls nothing.
 */
export function createOpenSearchLogStore(aws: AwsConfig): LogStore {
  const endpoint = requireSetting(
    aws.opensearchEndpoint,
    'OBSERVATORY_OPENSEARCH_ENDPOINT',
  );
  const region = requireSetting(aws.region, 'AWS_REGION');
  const client = createOpenSearchClient({
    endpoint,
    region,
    service: aws.opensearchService,
  });
  return new OpenSearchLogStore(transportOf(client), aws.logIndexPrefix);
}
