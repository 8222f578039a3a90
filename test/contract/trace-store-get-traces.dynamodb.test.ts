import { createDynamoDbTraceStore } from '#shared/store/aws/dynamodb/trace-store.js';
import { startLocalDynamoDb } from '#test/support/dynalite.js';
import { traceStoreGetTracesContract } from './trace-store-get-traces.contract.js';

traceStoreGetTracesContract('dynamodb', async () => {
  const dynamo = await startLocalDynamoDb();
  const store = createDynamoDbTraceStore(dynamo.aws);
  return { store, close: () => dynamo.close() };
});
