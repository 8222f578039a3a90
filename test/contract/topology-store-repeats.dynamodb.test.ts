import { createDynamoDbTopologyStore } from '#shared/store/aws/dynamodb/topology-store.js';
import { startLocalDynamoDb } from '#test/support/dynalite.js';
import { topologyStoreRepeatsContract } from './topology-store-repeats.contract.js';

topologyStoreRepeatsContract('dynamodb', async () => {
  const dynamo = await startLocalDynamoDb();
  const store = createDynamoDbTopologyStore(dynamo.aws);
  return { store, close: () => dynamo.close() };
});
