import { loadConfig } from '#shared/config.js';
import {
  createOpenSearchClient,
  transportOf,
} from '#shared/store/aws/opensearch/client.js';
import { createOpenSearchLogStore } from '#shared/store/aws/opensearch/log-store.js';
import { ensureIndexTemplate } from '#shared/store/aws/opensearch/template.js';
import { startFakeOpenSearch } from '#test/fakes/opensearch/server.js';
import { describeLogStoreContract } from './log-store.contract.js';

const PREFIX = 'observatory-logs';

describeLogStoreContract('opensearch', async () => {
  // vitest.config.ts sets these dummy keys; the fake checks every
  // signature against them, so each call of the suite is signed.
  const fake = await startFakeOpenSearch({
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const { aws } = loadConfig({
    STORAGE: 'aws',
    AWS_REGION: 'us-east-1',
    OBSERVATORY_OPENSEARCH_ENDPOINT: fake.url,
    OBSERVATORY_LOG_INDEX_PREFIX: PREFIX,
  });
  const client = createOpenSearchClient({
    endpoint: fake.url,
    region: 'us-east-1',
    service: 'es',
  });
  await ensureIndexTemplate(transportOf(client), PREFIX);

  const store = createOpenSearchLogStore(aws);
  return {
    store,
    close: async () => {
      await client.close();
      await fake.close();
    },
  };
});
