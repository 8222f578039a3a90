import {
  type BulkOptions,
  DEFAULT_BULK_OPTIONS,
} from '#shared/store/aws/opensearch/bulk.js';
import {
  createOpenSearchClient,
  transportOf,
} from '#shared/store/aws/opensearch/client.js';
import { OpenSearchLogStore } from '#shared/store/aws/opensearch/log-store.js';
import { ensureIndexTemplate } from '#shared/store/aws/opensearch/template.js';
import {
  type FakeOpenSearch,
  type FakeOpenSearchOptions,
  type RecordedRequest,
  startFakeOpenSearch,
} from './server.js';

/** The index prefix the helpers use. */
export const TEST_INDEX_PREFIX = 'observatory-logs';

/** A log store on a fresh fake cluster, with its template in place. */
export interface StoreOnFake {
  fake: FakeOpenSearch;
  store: OpenSearchLogStore;
  /** Every delay the store slept between attempts, in milliseconds. */
  sleeps: number[];
  close(): Promise<void>;
}

/**
 * Starts a fake cluster, stores the log index template and opens a log
 * store on it. Sleeps between retries are recorded and skipped.
 */
export async function startStoreOnFake(
  options: { fake?: FakeOpenSearchOptions; bulk?: Partial<BulkOptions> } = {},
): Promise<StoreOnFake> {
  const fake = await startFakeOpenSearch(options.fake);
  const client = createOpenSearchClient({
    endpoint: fake.url,
    region: 'us-east-1',
    service: 'es',
  });
  const transport = transportOf(client);
  await ensureIndexTemplate(transport, TEST_INDEX_PREFIX);

  const sleeps: number[] = [];
  const bulk: BulkOptions = {
    ...DEFAULT_BULK_OPTIONS,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options.bulk,
  };
  const store = new OpenSearchLogStore(transport, TEST_INDEX_PREFIX, bulk);
  return {
    fake,
    store,
    sleeps,
    close: async () => {
      await client.close();
      await fake.close();
    },
  };
}

/** Returns the `_bulk` requests a fake received, oldest first. */
export function bulkRequests(fake: FakeOpenSearch): RecordedRequest[] {
  return fake.requests.filter((request) => request.path.endsWith('/_bulk'));
}

/** Returns the document ids a `_bulk` body creates, in order. */
export function bulkIds(request: RecordedRequest): string[] {
  return request.body
    .split('\n')
    .filter((_, line) => line % 2 === 0)
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line).create._id as string);
}
