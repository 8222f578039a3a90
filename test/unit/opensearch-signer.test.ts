import { afterEach, describe, expect, it } from 'vitest';
import { type AwsConfig, ConfigError, loadConfig } from '#shared/config.js';
import { StoreError } from '#shared/errors.js';
import {
  createOpenSearchClient,
  transportOf,
} from '#shared/store/aws/opensearch/client.js';
import { createOpenSearchLogStore } from '#shared/store/aws/opensearch/log-store.js';
import { ensureIndexTemplate } from '#shared/store/aws/opensearch/template.js';
import { logRecord, T0_MS } from '#test/contract/log-store.contract.js';
import {
  type FakeOpenSearch,
  startFakeOpenSearch,
} from '#test/fakes/opensearch/server.js';

/** The dummy keys vitest.config.ts puts in the environment. */
const DUMMY_KEYS = { accessKeyId: 'test', secretAccessKey: 'test' };

let fake: FakeOpenSearch | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function awsConfig(env: Record<string, string>) {
  return loadConfig({ STORAGE: 'aws', AWS_REGION: 'us-east-1', ...env }).aws;
}

async function writeAndSearch(service: 'es' | 'aoss') {
  fake = await startFakeOpenSearch({ credentials: DUMMY_KEYS });
  const client = createOpenSearchClient({
    endpoint: fake.url,
    region: 'us-east-1',
    service,
  });
  await ensureIndexTemplate(transportOf(client), 'observatory-logs');
  await client.close();
  const store = createOpenSearchLogStore(
    awsConfig({
      OBSERVATORY_OPENSEARCH_ENDPOINT: fake.url,
      OBSERVATORY_OPENSEARCH_SERVICE: service,
    }),
  );
  await store.write([logRecord({ at: 1 })]);
  await store.search({ start_ms: T0_MS, end_ms: T0_MS + 1, limit: 10 });
  return fake;
}

describe('OpenSearch request signing', () => {
  it.each<['es' | 'aoss']>([['es'], ['aoss']])(
    'signs every request for service %s',
    async (service) => {
      const { requests } = await writeAndSearch(service);

      expect(requests.map((request) => request.path)).toEqual([
        '/_index_template/observatory-logs-template',
        '/_bulk',
        '/observatory-logs-2026.01.15/_search',
      ]);
      for (const request of requests) {
        expect(request.auth).toMatchObject({
          accessKeyId: 'test',
          region: 'us-east-1',
          service,
        });
        expect(request.auth?.signedHeaders).toEqual(
          expect.arrayContaining([
            'host',
            'x-amz-content-sha256',
            'x-amz-date',
          ]),
        );
      }
    },
  );

  it('fails when the cluster refuses the signature', async () => {
    fake = await startFakeOpenSearch({
      credentials: { accessKeyId: 'test', secretAccessKey: 'other' },
    });
    const store = createOpenSearchLogStore(
      awsConfig({ OBSERVATORY_OPENSEARCH_ENDPOINT: fake.url }),
    );

    const write = store.write([logRecord({ at: 1 })]);

    await expect(write).rejects.toThrow(StoreError);
    await expect(write).rejects.toThrow(
      /_bulk request failed with HTTP 403: The request signature is not valid/,
    );
  });
});

describe('OpenSearch store settings', () => {
  const configured = awsConfig({
    OBSERVATORY_OPENSEARCH_ENDPOINT: 'https://search.example.test',
  });

  it.each<[Partial<AwsConfig>, string]>([
    [{ opensearchEndpoint: undefined }, 'OBSERVATORY_OPENSEARCH_ENDPOINT'],
    [{ region: undefined }, 'AWS_REGION'],
  ])('requires %j to name %s', (overrides, variable) => {
    const create = () =>
      createOpenSearchLogStore({ ...configured, ...overrides });

    expect(create).toThrow(ConfigError);
    expect(create).toThrow(`missing environment variable ${variable}`);
  });
});
