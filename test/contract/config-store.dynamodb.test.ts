import { createDynamoDbConfigStore } from '#shared/store/aws/dynamodb/config-store.js';
import { startLocalDynamoDb } from '#test/support/dynalite.js';
import { configStoreContract } from './config-store.contract.js';

configStoreContract('dynamodb', async (clock) => {
  const dynamo = await startLocalDynamoDb();
  const store = createDynamoDbConfigStore(dynamo.aws, { clock });
  return { store, close: () => dynamo.close() };
});
