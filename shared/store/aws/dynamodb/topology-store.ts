import {
  type DynamoDBDocumentClient,
  GetCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AwsConfig } from '../../../config.js';
import { StoreError } from '../../../errors.js';
import { firstObservations } from '../../../topology/edges.js';
import type {
  EdgeObservation,
  EdgeStats,
  ObservedService,
} from '../../../topology/model.js';
import type { EdgeStatsQuery, TopologyStore } from '../../ports.js';
import { batchGet, batchPut, CONCURRENCY, mapLimit } from './batch.js';
import {
  createDocumentClient,
  describeError,
  isConditionFailure,
  tracesTableName,
} from './client.js';
import { edgeItem, edgeStats } from './edges.js';
import { MAX_SERVICE_BYTES } from './item-size.js';
import {
  DEFAULT_RETENTION_DAYS,
  expiresAt,
  SERVICE_PREFIX,
  SERVICES_KEY,
} from './keys.js';
import { queryUpTo } from './query.js';
import type { TraceTableOptions } from './trace-store.js';

interface ServiceItem {
  service: string;
  first_seen_ms: number;
  last_seen_ms: number;
}

/** Folds repeats of a service into one entry with the widest times. */
function mergeServices(services: ObservedService[]): ObservedService[] {
  const byName = new Map<string, ObservedService>();
  for (const entry of services) {
    const known = byName.get(entry.service) ?? entry;
    byName.set(entry.service, {
      service: entry.service,
      first_seen_ms: Math.min(entry.first_seen_ms, known.first_seen_ms),
      last_seen_ms: Math.max(entry.last_seen_ms, known.last_seen_ms),
    });
  }
  return [...byName.values()];
}

const serviceKey = (service: string) => ({
  pk: SERVICES_KEY,
  sk: `${SERVICE_PREFIX}${service}`,
});

/**
 * Topology on DynamoDB, in the traces table: one item per observed call
 * in its trace's partition, found by time through `edges_by_time`, and
 * one item per service in a single `SERVICES` partition sorted by name.
 */
export class DynamoDbTopologyStore implements TopologyStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly retentionDays = DEFAULT_RETENTION_DAYS,
  ) {}

  /**
   * Looks up which keys are stored, then puts the others with
   * BatchWriteItem. When two concurrent writers both find a key missing,
   * both put it with equal content, because both derive it from the same
   * stored spans. Both then count it as new.
   */
  async recordEdges(observations: EdgeObservation[]): Promise<number> {
    const items = firstObservations(observations).map((observation) =>
      edgeItem(observation, this.retentionDays),
    );
    try {
      const stored = await batchGet(
        this.client,
        this.table,
        items.map(({ pk, sk }) => ({ pk, sk })),
        'pk, sk',
      );
      const known = new Set(stored.map((key) => `${key.pk}/${key.sk}`));
      const fresh = items.filter((item) => !known.has(`${item.pk}/${item.sk}`));
      await batchPut(this.client, this.table, fresh);
      return fresh.length;
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw new StoreError(
        `writing topology edges failed: ${describeError(error)}`,
        error,
      );
    }
  }

  edgeStats(query: EdgeStatsQuery): Promise<EdgeStats[]> {
    return edgeStats(this.client, this.table, query);
  }

  /**
   * Widens each service's seen times with two conditional updates, since
   * an update expression has no minimum or maximum: one lowers the first
   * seen time (creating the item), the other raises the last. A service
   * whose name is too long for a key is skipped, because the trace store
   * rejects its spans and the ingest response reports that with the limit.
   */
  async recordServices(services: ObservedService[]): Promise<void> {
    const storable = mergeServices(services).filter(
      (entry) => Buffer.byteLength(entry.service, 'utf8') <= MAX_SERVICE_BYTES,
    );
    await mapLimit(storable, CONCURRENCY, (entry) => this.widen(entry));
  }

  private async widen(entry: ObservedService): Promise<void> {
    const expires = expiresAt(entry.last_seen_ms, this.retentionDays);
    await this.update(entry, {
      UpdateExpression:
        'SET first_seen_ms = :first, service = :service, ' +
        'last_seen_ms = if_not_exists(last_seen_ms, :last), ' +
        'expires_at = if_not_exists(expires_at, :expires)',
      ConditionExpression:
        'attribute_not_exists(first_seen_ms) OR first_seen_ms > :first',
      ExpressionAttributeValues: {
        ':first': entry.first_seen_ms,
        ':last': entry.last_seen_ms,
        ':service': entry.service,
        ':expires': expires,
      },
    });
    await this.update(entry, {
      UpdateExpression: 'SET last_seen_ms = :last, expires_at = :expires',
      ConditionExpression: 'last_seen_ms < :last',
      ExpressionAttributeValues: {
        ':last': entry.last_seen_ms,
        ':expires': expires,
      },
    });
  }

  private async update(
    entry: ObservedService,
    expression: {
      UpdateExpression: string;
      ConditionExpression: string;
      ExpressionAttributeValues: Record<string, unknown>;
    },
  ): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: serviceKey(entry.service),
          ...expression,
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return;
      throw new StoreError(
        `writing observed service ${entry.service} failed: ` +
          describeError(error),
        error,
      );
    }
  }

  async getService(service: string): Promise<ObservedService | undefined> {
    if (Buffer.byteLength(service, 'utf8') > MAX_SERVICE_BYTES) {
      return undefined;
    }
    const output = await this.client.send(
      new GetCommand({
        TableName: this.table,
        Key: serviceKey(service),
        ConsistentRead: true,
      }),
    );
    const item = output.Item as ServiceItem | undefined;
    return item ? serviceFromItem(item) : undefined;
  }

  async listServices(options: {
    after?: string;
    limit: number;
  }): Promise<ObservedService[]> {
    const range =
      options.after === undefined
        ? { condition: 'begins_with(sk, :bound)', bound: SERVICE_PREFIX }
        : { condition: 'sk > :bound', bound: serviceKey(options.after).sk };
    const items = await queryUpTo<ServiceItem>(
      this.client,
      {
        TableName: this.table,
        KeyConditionExpression: `pk = :pk AND ${range.condition}`,
        ExpressionAttributeValues: {
          ':pk': SERVICES_KEY,
          ':bound': range.bound,
        },
        ConsistentRead: true,
      },
      options.limit,
    );
    return items.map(serviceFromItem);
  }
}

function serviceFromItem(item: ServiceItem): ObservedService {
  return {
    service: item.service,
    first_seen_ms: item.first_seen_ms,
    last_seen_ms: item.last_seen_ms,
  };
}

/**
 * Creates the DynamoDB topology store on the traces table. Fails at once,
 * naming the variable, when OBSERVATORY_TRACES_TABLE or AWS_REGION is not
 * set.
 */
export function createDynamoDbTopologyStore(
  aws: AwsConfig,
  options: TraceTableOptions = {},
): TopologyStore {
  const table = tracesTableName(aws);
  return new DynamoDbTopologyStore(
    createDocumentClient(aws),
    table,
    options.retentionDays,
  );
}
