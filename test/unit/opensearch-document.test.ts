import { afterEach, describe, expect, it } from 'vitest';
import type { Attributes } from '#shared/model/attributes.js';
import type { LogQuery } from '#shared/model/log.js';
import {
  documentOf,
  isoFromNanos,
  MAX_FLAT_ENTRY_BYTES,
  recordOf,
} from '#shared/store/aws/opensearch/document.js';
import {
  LOG_MAPPINGS,
  logIndexTemplate,
} from '#shared/store/aws/opensearch/template.js';
import { logRecord, T0_MS } from '#test/contract/log-store.contract.js';
import {
  type StoreOnFake,
  startStoreOnFake,
} from '#test/fakes/opensearch/store.js';

const INDEX = 'observatory-logs-2026.01.15';

let harness: StoreOnFake | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function range(overrides: Partial<LogQuery> = {}): LogQuery {
  return {
    start_ms: T0_MS - 60_000,
    end_ms: T0_MS + 60_000,
    limit: 100,
    ...overrides,
  };
}

describe('dotted attribute keys', () => {
  const resource: Attributes = {
    app: { stringValue: 'authserver' },
    'app.kubernetes.io/name': { stringValue: 'authserver' },
    'app.kubernetes.io/component': { stringValue: 'auth' },
  };
  const first = logRecord({ at: 1, message: 'first', resource });
  const second = logRecord({
    at: 2,
    message: 'second',
    attributes: { source: { stringValue: 'gateway' } },
  });
  const third = logRecord({
    at: 3,
    message: 'third',
    attributes: { 'source.address': { stringValue: '10.0.0.1' } },
  });

  async function storeAll() {
    harness = await startStoreOnFake();
    for (const record of [first, second, third]) {
      expect(await harness.store.write([record])).toEqual({
        written: 1,
        duplicates: 0,
        rejected: [],
      });
    }
    return harness;
  }

  it('stores every record and reads back flat maps', async () => {
    const { store } = await storeAll();

    const page = await store.search(range());

    expect(page.items.map((item) => item.attributes)).toEqual([
      third.attributes,
      second.attributes,
      {},
    ]);
    expect(page.items[2]?.resource).toEqual(resource);
  });

  it('keeps keys exactly as sent in the indexed fields', async () => {
    const { fake } = await storeAll();
    const sources = [...(fake.index(INDEX)?.documents.values() ?? [])].map(
      (document) => document.source,
    );

    expect(sources.map((source) => source.attributes)).toEqual([
      {},
      { source: 'gateway' },
      { 'source.address': '10.0.0.1' },
    ]);
    expect(sources[0]?.resource).toEqual({
      app: 'authserver',
      'app.kubernetes.io/name': 'authserver',
      'app.kubernetes.io/component': 'auth',
    });
  });

  it('leaves the mapping as the template defines it', async () => {
    const { fake } = await storeAll();

    expect(fake.index(INDEX)?.mappings).toEqual(LOG_MAPPINGS);
  });

  it.each<[Record<string, string>, string[]]>([
    [{ app: 'authserver' }, ['first']],
    [{ 'app.kubernetes.io/name': 'authserver' }, ['first']],
    [{ 'app.kubernetes.io/component': 'auth' }, ['first']],
    [{ app: 'auth' }, []],
    [{ source: 'gateway' }, ['second']],
    [{ 'source.address': '10.0.0.1' }, ['third']],
    [{ source: '10.0.0.1' }, []],
  ])('filters %j by the whole key', async (attributes, expected) => {
    const { store } = await storeAll();

    const page = await store.search(range({ attributes }));

    expect(page.items.map((item) => item.message)).toEqual(expected);
  });
});

describe('prototype attribute keys', () => {
  it.each([['__proto__'], ['constructor']])(
    'stores and filters the key %s',
    async (key) => {
      harness = await startStoreOnFake();
      const attributes = JSON.parse(
        `{${JSON.stringify(key)}: {"stringValue": "x"}}`,
      ) as Attributes;
      const record = logRecord({ at: 1, attributes });
      await harness.store.write([record]);

      const page = await harness.store.search(
        range({ attributes: { [key]: 'x' } }),
      );

      expect(page.items).toHaveLength(1);
      expect(Object.keys(page.items[0]?.attributes ?? {})).toEqual([key]);
      expect(page.items[0]).toEqual(record);
    },
  );
});

describe('log document', () => {
  it('formats nanoseconds with nine fraction digits', () => {
    expect(isoFromNanos(0n)).toBe('1970-01-01T00:00:00.000000000Z');
    expect(isoFromNanos(1_768_478_400_000_000_001n)).toBe(
      '2026-01-15T12:00:00.000000001Z',
    );
    expect(isoFromNanos(2n ** 63n - 1n)).toBe('2262-04-11T23:47:16.854775807Z');
  });

  it('keeps 64-bit integers exact in typed and as text', () => {
    const record = logRecord({
      attributes: { big: { intValue: '9007199254740993' } },
    });

    const document = documentOf(record);
    const reread = recordOf(JSON.parse(JSON.stringify(document)));

    expect(document.attributes).toEqual({ big: '9007199254740993' });
    expect(reread).toEqual(record);
  });

  it('stores a string body once, in message', () => {
    const document = documentOf(logRecord({ message: 'plain' }));

    expect(document.typed.body).toBeUndefined();
    expect(recordOf(document).body).toEqual({ stringValue: 'plain' });
  });

  it('keeps a structured body with its types', () => {
    const body = {
      kvlistValue: {
        values: [{ key: 'user', value: { intValue: '12345678901234567890' } }],
      },
    };
    const record = logRecord({
      body,
      message: '{"user":12345678901234567890}',
    });

    const reread = recordOf(JSON.parse(JSON.stringify(documentOf(record))));

    expect(reread.body).toEqual(body);
    expect(reread.message).toBe(record.message);
  });

  it('indexes no entry above the flat entry limit but keeps it', () => {
    const long = 'v'.repeat(MAX_FLAT_ENTRY_BYTES);
    const record = logRecord({
      attributes: {
        long: { stringValue: long },
        short: { stringValue: 'ok' },
      },
    });

    const document = documentOf(record);

    expect(document.attributes).toEqual({ short: 'ok' });
    expect(recordOf(document).attributes).toEqual(record.attributes);
  });
});

describe('log index template', () => {
  it('matches the prefix and maps no field dynamically', () => {
    const template = logIndexTemplate('observatory-logs');
    const properties = template.template.mappings.properties;

    expect(template.index_patterns).toEqual(['observatory-logs-*']);
    expect(template.template.mappings.dynamic).toBe('strict');
    expect(properties.attributes).toEqual({ type: 'flat_object' });
    expect(properties.resource).toEqual({ type: 'flat_object' });
    expect(properties.typed).toEqual({ type: 'object', enabled: false });
    expect(properties.timestamp.type).toBe('date_nanos');
  });

  it('defines the normalizer of the substring field', () => {
    const template = logIndexTemplate('observatory-logs');
    const substring =
      template.template.mappings.properties.message.fields.substring;
    const normalizers = template.template.settings.analysis.normalizer;

    expect(substring.type).toBe('wildcard');
    expect(normalizers[substring.normalizer]).toEqual({
      type: 'custom',
      filter: ['lowercase'],
    });
  });

  it('is stored in the cluster by ensureIndexTemplate', async () => {
    harness = await startStoreOnFake();

    const stored = harness.fake.state.templates.get(
      'observatory-logs-template',
    );

    expect(stored).toEqual(
      JSON.parse(JSON.stringify(logIndexTemplate('observatory-logs'))),
    );
  });
});
