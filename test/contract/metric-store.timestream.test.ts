import type { AwsConfig } from '#shared/config.js';
import { createTimestreamMetricStore } from '#shared/store/aws/timestream/metric-store.js';
import { startTimestreamFake } from '#test/fakes/timestream/server.js';
import { metricStoreContract } from './metric-store.contract.js';
import { metricAnalyticsContract } from './metric-store-analytics.contract.js';
import { metricCatalogContract } from './metric-store-catalog.contract.js';

/** AWS settings that point both Timestream clients at a local fake. */
export function fakeAwsConfig(endpoint: string): AwsConfig {
  return {
    region: 'us-east-1',
    tracesTable: undefined,
    configTable: undefined,
    timestreamDatabase: 'observatory',
    timestreamTable: 'metrics',
    timestreamMagneticWrites: false,
    timestreamMemoryRetentionHours: 24,
    opensearchEndpoint: undefined,
    opensearchService: 'es',
    logIndexPrefix: 'observatory-logs',
    endpoints: {
      dynamodb: undefined,
      timestreamWrite: endpoint,
      timestreamQuery: endpoint,
    },
  };
}

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
