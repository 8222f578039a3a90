import { createDynamoDbTraceStore } from '#shared/store/aws/dynamodb/trace-store.js';
import { startLocalDynamoDb } from '#test/support/dynalite.js';
import { traceStoreContract } from './trace-store.contract.js';

traceStoreContract('dynamodb', async () => {
  const dynamo = await startLocalDynamoDb();
  const store = createDynamoDbTraceStore(dynamo.aws);
  return { store, close: () => dynamo.close() };
});
