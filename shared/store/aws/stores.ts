import type { Config } from '../../config.js';
import type { StoreName } from '../open.js';
import type { Stores } from '../ports.js';

type OpenedStores = Omit<Stores, 'close'>;

async function openOne(config: Config, name: StoreName) {
  switch (name) {
    case 'metrics': {
      const { createTimestreamMetricStore } = await import(
        './timestream/metric-store.js'
      );
      return createTimestreamMetricStore(config.aws);
    }
    case 'logs': {
      const { createOpenSearchLogStore } = await import(
        './opensearch/log-store.js'
      );
      return createOpenSearchLogStore(config.aws);
    }
    case 'traces': {
      const { createDynamoDbTraceStore } = await import(
        './dynamodb/trace-store.js'
      );
      return createDynamoDbTraceStore(config.aws, {
        retentionDays: config.aws.traceRetentionDays,
      });
    }
    case 'config': {
      const { createDynamoDbConfigStore } = await import(
        './dynamodb/config-store.js'
      );
      return createDynamoDbConfigStore(config.aws);
    }
    case 'topology': {
      const { createDynamoDbTopologyStore } = await import(
        './dynamodb/topology-store.js'
      );
      return createDynamoDbTopologyStore(config.aws, {
        retentionDays: config.aws.traceRetentionDays,
      });
    }
  }
}

function notOpened(name: string): never {
  throw new Error(
    `the ${name} store is not opened in this function; add it to the ` +
      "function's store list",
  );
}

/**
 * Opens the AWS adapters named in `needs`. Each one checks its settings
 * as it is created, so a missing variable fails at cold start. Reaching a
 * store that was not opened throws, naming it.
 */
export async function openAwsStores(
  config: Config,
  needs: readonly StoreName[],
): Promise<Stores> {
  const opened: Partial<Record<StoreName, unknown>> = {};
  for (const name of needs) opened[name] = await openOne(config, name);

  const stores = {} as OpenedStores;
  for (const name of ['metrics', 'traces', 'logs', 'config', 'topology']) {
    Object.defineProperty(stores, name, {
      enumerable: true,
      get: () => opened[name as StoreName] ?? notOpened(name),
    });
  }
  return Object.assign(stores, { close: async () => undefined }) as Stores;
}
