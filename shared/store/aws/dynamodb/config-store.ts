import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import { type Clock, systemClock } from '../../../clock.js';
import type { AwsConfig } from '../../../config.js';
import { ValidationError } from '../../../errors.js';
import type { ConfigItem, ConfigStore, Page } from '../../ports.js';
import { configTableName, createDocumentClient } from './client.js';
import { itemSize, MAX_ITEM_BYTES } from './item-size.js';
import { configKey } from './keys.js';
import { queryUpTo } from './query.js';

/** DynamoDB's limit on a sort key, which contains the id. */
const MAX_ID_BYTES = 1024;

/** A configuration document as stored; `value` is its JSON text. */
interface ConfigRecord {
  pk: string;
  sk: string;
  kind: string;
  id: string;
  value: string;
  updated_ms: number;
}

function toItem<T>(record: ConfigRecord): ConfigItem<T> {
  return {
    kind: record.kind,
    id: record.id,
    value: JSON.parse(record.value) as T,
    updated_ms: record.updated_ms,
  };
}

/** Checks that `id` fits a DynamoDB sort key: 1 to 1,024 bytes. */
function storableId(id: string): boolean {
  const bytes = Buffer.byteLength(id, 'utf8');
  return bytes > 0 && bytes <= MAX_ID_BYTES;
}

function checkRecord(record: ConfigRecord) {
  if (!storableId(record.id)) {
    throw new ValidationError(
      `invalid ${record.kind} id: it takes ` +
        `${Buffer.byteLength(record.id, 'utf8')} bytes, and an id must ` +
        `take 1 to ${MAX_ID_BYTES} bytes; use a shorter id`,
      [{ path: 'id', message: 'empty or too long' }],
    );
  }
  const size = itemSize(record);
  if (size > MAX_ITEM_BYTES) {
    throw new ValidationError(
      `invalid ${record.kind} ${record.id}: it takes about ${size} bytes, ` +
        `above DynamoDB's ${MAX_ITEM_BYTES}-byte item limit; store less`,
      [{ path: 'value', message: 'too large' }],
    );
  }
}

/**
 * Configuration documents on DynamoDB: one partition per kind, one item
 * per id, so a kind lists in id order with a Query. Values are stored as
 * JSON text, which keeps them exactly as the DuckDB store does.
 */
export class DynamoDbConfigStore implements ConfigStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly clock: Clock = systemClock,
  ) {}

  async put<T>(kind: string, id: string, value: T): Promise<void> {
    const record: ConfigRecord = {
      pk: configKey(kind),
      sk: id,
      kind,
      id,
      value: JSON.stringify(value),
      updated_ms: this.clock.now(),
    };
    checkRecord(record);
    await this.client.send(
      new PutCommand({ TableName: this.table, Item: record }),
    );
  }

  async get<T>(kind: string, id: string) {
    if (!storableId(id)) return undefined;
    const output = await this.client.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: configKey(kind), sk: id },
        ConsistentRead: true,
      }),
    );
    const record = output.Item as ConfigRecord | undefined;
    return record ? toItem<T>(record) : undefined;
  }

  async list<T>(
    kind: string,
    options: { limit: number; cursor?: string },
  ): Promise<Page<ConfigItem<T>>> {
    const after = options.cursor ? decodeCursor(options.cursor) : '';
    const records = await queryUpTo<ConfigRecord>(
      this.client,
      {
        TableName: this.table,
        KeyConditionExpression: after ? 'pk = :pk AND sk > :after' : 'pk = :pk',
        ExpressionAttributeValues: {
          ':pk': configKey(kind),
          ...(after ? { ':after': after } : {}),
        },
        ConsistentRead: true,
      },
      options.limit + 1,
    );

    const items = records.slice(0, options.limit).map((r) => toItem<T>(r));
    const last = items.at(-1);
    if (records.length <= options.limit || !last) return { items };
    return { items, next_cursor: encodeCursor(last.id) };
  }

  async delete(kind: string, id: string): Promise<boolean> {
    if (!storableId(id)) return false;
    const output = await this.client.send(
      new DeleteCommand({
        TableName: this.table,
        Key: { pk: configKey(kind), sk: id },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return output.Attributes !== undefined;
  }
}

/** Encodes the last id of a page as the cursor, as the DuckDB store does. */
function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  return Buffer.from(cursor, 'base64url').toString('utf8');
}

/**
 * Creates the DynamoDB config store. Fails at once, naming the variable,
 * when OBSERVATORY_CONFIG_TABLE or AWS_REGION is not set.
 */
export function createDynamoDbConfigStore(
  aws: AwsConfig,
  options: { clock?: Clock } = {},
): ConfigStore {
  const table = configTableName(aws);
  return new DynamoDbConfigStore(
    createDocumentClient(aws),
    table,
    options.clock,
  );
}
