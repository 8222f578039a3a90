import { ValidationError } from '../../errors.js';
import { MAX_READ_POINTS } from '../../metrics/query.js';
import type {
  MetricInfo,
  MetricListQuery,
  MetricPoint,
  MetricQuery,
  MetricStatistics,
  MetricStatisticsQuery,
  Series,
} from '../../model/metric.js';
import type { MetricStore, WriteResult } from '../ports.js';
import type { DuckDb } from './database.js';
import { listMetricInfo, queryStatistics } from './metric-catalog.js';
import { tableDdl } from './metric-columns.js';
import { runMetricQuery } from './metric-reads.js';
import { METRIC_TABLE, MetricWriter, STAGING_DDL } from './metric-write.js';

/** Builds the 400 for a regular expression DuckDB (RE2) rejects. */
function invalidRegex(index: number, error: unknown): ValidationError {
  const reason = error instanceof Error ? error.message : String(error);
  const path = `matchers[${index}].value`;
  return new ValidationError(
    `${path} is not a valid regular expression (${reason}); use RE2 ` +
      'syntax, which has no lookaround or backreferences',
    [{ path, message: `invalid regular expression: ${reason}` }],
    error,
  );
}

/**
 * Metric points in one DuckDB table. Each batch is written in one
 * transaction by a {@link MetricWriter}.
 */
export class DuckDbMetricStore implements MetricStore {
  private readonly writer = new MetricWriter();

  /**
   * @param maxReadPoints - most stored points one query reads into memory
   *   to compute increases, distribution percentiles or statistics; above
   *   it the query is a 400. Defaults to {@link MAX_READ_POINTS}.
   */
  constructor(
    private readonly db: DuckDb,
    private readonly maxReadPoints = MAX_READ_POINTS,
  ) {}

  /**
   * Creates the metric table when it does not exist, and the staging
   * table of the writer connection. The staging table is created outside
   * any batch, so a batch that rolls back cannot drop it.
   */
  async init(): Promise<void> {
    await this.db.exec(tableDdl(METRIC_TABLE));
    await this.db.exec(STAGING_DDL);
  }

  async write(points: MetricPoint[]): Promise<WriteResult> {
    if (points.length === 0) return { written: 0, duplicates: 0, rejected: [] };
    return this.db.transaction((connection) =>
      this.writer.write(connection, points),
    );
  }

  async query(query: MetricQuery): Promise<Series[]> {
    await this.checkRegexes(query);
    return runMetricQuery(this.db, METRIC_TABLE, query, this.maxReadPoints);
  }

  statistics(query: MetricStatisticsQuery): Promise<MetricStatistics | null> {
    return queryStatistics(this.db, METRIC_TABLE, query, this.maxReadPoints);
  }

  listMetrics(query: MetricListQuery): Promise<MetricInfo[]> {
    return listMetricInfo(this.db, METRIC_TABLE, query);
  }

  /** Compiles each regex matcher in DuckDB so a bad one is a 400. */
  private async checkRegexes(query: MetricQuery): Promise<void> {
    for (const [index, matcher] of query.matchers.entries()) {
      if (matcher.op !== '=~' && matcher.op !== '!~') continue;
      try {
        await this.db.query(`SELECT regexp_full_match('', $1)`, [
          matcher.value,
        ]);
      } catch (error) {
        throw invalidRegex(index, error);
      }
    }
  }
}
