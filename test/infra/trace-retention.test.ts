import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '#shared/config.js';
import { openAwsStores } from '#shared/store/aws/stores.js';
import {
  type LocalDynamoDb,
  startLocalDynamoDb,
} from '#test/support/dynalite.js';
import { MS, makeSpan } from '#test/support/spans.js';

const DAY_S = 86_400;
const START_MS = Date.UTC(2026, 10, 30, 10, 0, 0);

let dynamo: LocalDynamoDb;

/** Reads the `expires_at` of the span item straight from the table. */
async function expiresAtOf(traceId: string, spanId: string) {
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: dynamo.endpoint,
  });
  try {
    const { Item } = await client.send(
      new GetItemCommand({
        TableName: dynamo.aws.tracesTable,
        Key: { pk: { S: `TRACE#${traceId}` }, sk: { S: `SPAN#${spanId}` } },
      }),
    );
    return Number(Item?.expires_at?.N);
  } finally {
    client.destroy();
  }
}

describe('trace retention setting', () => {
  beforeAll(async () => {
    dynamo = await startLocalDynamoDb();
  });
  afterAll(() => dynamo.close());

  it.each([
    { label: 'unset', days: undefined, expected: 30 },
    { label: '7', days: '7', expected: 7 },
  ])(
    'retention $label keeps spans $expected days',
    async ({ days, expected }) => {
      const config = loadConfig({
        STORAGE: 'aws',
        AWS_REGION: 'us-east-1',
        OBSERVATORY_TRACES_TABLE: dynamo.aws.tracesTable,
        OBSERVATORY_DYNAMODB_ENDPOINT: dynamo.endpoint,
        ...(days ? { OBSERVATORY_TRACE_RETENTION_DAYS: days } : {}),
      });
      const stores = await openAwsStores(config, ['traces']);
      const traceId = expected.toString(16).padStart(32, 'a');
      const span = makeSpan({
        trace_id: traceId,
        start_time_unix_nano: BigInt(START_MS) * MS,
      });

      await stores.traces.write([span]);

      expect(await expiresAtOf(traceId, span.span_id)).toBe(
        START_MS / 1000 + expected * DAY_S,
      );
    },
  );
});
