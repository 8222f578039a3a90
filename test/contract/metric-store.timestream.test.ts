import { createTimestreamMetricStore } from '#shared/store/aws/timestream/metric-store.js';
import { fakeAwsConfig } from '#test/fakes/timestream/config.js';
import { startTimestreamFake } from '#test/fakes/timestream/server.js';
import { metricStoreContract } from './metric-store.contract.js';
import { metricAnalyticsContract } from './metric-store-analytics.contract.js';
import { metricCatalogContract } from './metric-store-catalog.contract.js';

/**
 * Opens the adapter on a fresh fake. Three rows per Query page makes most
 * queries read several pages with NextToken.
 */
async function openTimestream() {
  const fake = await startTimestreamFake({
    tables: [['observatory', 'metrics']],
    pageSize: 3,
  });
  const store = createTimestreamMetricStore(fakeAwsConfig(fake.endpoint));
  return { store, close: () => fake.close() };
}

metricStoreContract('Timestream', openTimestream);
metricAnalyticsContract('Timestream', openTimestream);
metricCatalogContract('Timestream', openTimestream);
