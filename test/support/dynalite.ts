import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { type AwsConfig, loadConfig } from '#shared/config.js';
import {
  CONFIG_TABLE_INDEXES,
  type TableIndex,
  TRACE_TABLE_INDEXES,
} from '#shared/store/aws/dynamodb/keys.js';

// dynalite is CommonJS without type declarations.
const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (options: {
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => Server;

/** A DynamoDB emulator on 127.0.0.1 with the project's tables created. */
export interface LocalDynamoDb {
  /** Settings that point the DynamoDB adapters at this emulator. */
  aws: AwsConfig;
  endpoint: string;
  close(): Promise<void>;
}

let tableCount = 0;

function tableInput(name: string, indexes: readonly TableIndex[]) {
  const keyNames = new Set(['pk', 'sk']);
  for (const index of indexes) {
    keyNames.add(index.partitionKey.name).add(index.sortKey.name);
  }
  const input: CreateTableCommandInput = {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...keyNames].map((AttributeName) => ({
      AttributeName,
      AttributeType: 'S',
    })),
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
  };
  if (indexes.length > 0) {
    input.GlobalSecondaryIndexes = indexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
      ],
      Projection: {
        ProjectionType: index.projectionType,
        NonKeyAttributes: index.nonKeyAttributes,
      },
    }));
  }
  return input;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Starts dynalite in this process on a free loopback port, in memory, and
 * creates a traces table with {@link TRACE_TABLE_INDEXES} and a config
 * table, as the CDK stack does. Tables are active at once.
 */
export async function startLocalDynamoDb(): Promise<LocalDynamoDb> {
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  const port = await listen(server);
  const endpoint = `http://127.0.0.1:${port}`;
  tableCount += 1;
  const tracesTable = `observatory-traces-${tableCount}`;
  const configTable = `observatory-config-${tableCount}`;

  const client = new DynamoDBClient({ region: 'us-east-1', endpoint });
  try {
    await client.send(
      new CreateTableCommand(tableInput(tracesTable, TRACE_TABLE_INDEXES)),
    );
    await client.send(
      new CreateTableCommand(tableInput(configTable, CONFIG_TABLE_INDEXES)),
    );
  } finally {
    client.destroy();
  }

  const base = loadConfig({ AWS_REGION: 'us-east-1' }).aws;
  return {
    aws: {
      ...base,
      tracesTable,
      configTable,
      endpoints: { ...base.endpoints, dynamodb: endpoint },
    },
    endpoint,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
