import { createDynamoDbTraceStore } from '#shared/store/aws/dynamodb/trace-store.js';
import { startLocalDynamoDb } from '#test/support/dynalite.js';
import { traceStoreRelatedContract } from './trace-store-related.contract.js';

traceStoreRelatedContract('dynamodb', async () => {
  const dynamo = await startLocalDynamoDb();
  const store = createDynamoDbTraceStore(dynamo.aws);
  return { store, close: () => dynamo.close() };
});
