import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '#shared/config.js';
import { ValidationError } from '#shared/errors.js';
import { createDynamoDbConfigStore } from '#shared/store/aws/dynamodb/config-store.js';
import type { ConfigStore } from '#shared/store/ports.js';
import {
  type LocalDynamoDb,
  startLocalDynamoDb,
} from '#test/support/dynalite.js';

describe('DynamoDB config store limits', () => {
  let dynamo: LocalDynamoDb;
  let store: ConfigStore;

  beforeAll(async () => {
    dynamo = await startLocalDynamoDb();
    store = createDynamoDbConfigStore(dynamo.aws);
  });
  afterAll(() => dynamo.close());

  it.each([
    ['OBSERVATORY_CONFIG_TABLE', { configTable: undefined }],
    ['AWS_REGION', { region: undefined }],
  ])('fails at creation without %s', (variable, missing) => {
    const create = () =>
      createDynamoDbConfigStore({ ...dynamo.aws, ...missing });

    expect(create).toThrow(ConfigError);
    expect(create).toThrow(variable);
  });

  it.each([
    ['an empty id', ''],
    ['an id over 1,024 bytes', 'é'.repeat(513)],
  ])('rejects %s with a validation error', async (_label, id) => {
    await expect(store.put('doc', id, {})).rejects.toThrow(ValidationError);
  });

  it.each([
    ['an empty id', ''],
    ['an id over 1,024 bytes', 'x'.repeat(1025)],
  ])('finds nothing for %s', async (_label, id) => {
    expect(await store.get('doc', id)).toBeUndefined();
    expect(await store.delete('doc', id)).toBe(false);
  });

  it('stores an id of exactly 1,024 bytes', async () => {
    const id = 'x'.repeat(1024);

    await store.put('doc', id, 1);

    expect((await store.get('doc', id))?.value).toBe(1);
  });

  it('rejects a value above the item limit naming the size', async () => {
    const value = { text: 'x'.repeat(410 * 1024) };

    await expect(store.put('doc', 'big', value)).rejects.toThrow(
      /about \d+ bytes, above DynamoDB's 409600-byte item limit/,
    );
    expect(await store.get('doc', 'big')).toBeUndefined();
  });
});
