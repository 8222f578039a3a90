import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type FakeOpenSearch,
  startFakeOpenSearch,
} from '#test/fakes/opensearch/server.js';

/**
 * Checks that the fake responds as OpenSearch documents it, so the log
 * store tests that run on it mean something.
 */

const TEMPLATE = {
  index_patterns: ['logs-*'],
  priority: 10,
  template: {
    settings: {
      analysis: {
        normalizer: { lower: { type: 'custom', filter: ['lowercase'] } },
      },
    },
    mappings: {
      dynamic: 'strict',
      properties: {
        id: { type: 'keyword' },
        at: { type: 'date_nanos', format: 'strict_date_optional_time_nanos' },
        text: {
          type: 'text',
          fields: {
            substring: {
              type: 'wildcard',
              normalizer: 'lower',
              doc_values: false,
            },
          },
        },
        labels: { type: 'flat_object' },
      },
    },
  },
};

let fake: FakeOpenSearch;

beforeEach(async () => {
  fake = await startFakeOpenSearch({ maxBodyBytes: 4096 });
  await call('PUT', '/_index_template/logs', TEMPLATE);
});

afterEach(async () => {
  await fake.close();
});

async function call(
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
) {
  const text =
    body === undefined || typeof body === 'string'
      ? body
      : JSON.stringify(body);
  const response = await fetch(`${fake.url}${path}`, {
    method,
    headers: { 'content-type': contentType },
    body: text,
  });
  const raw = await response.text();
  return { status: response.status, body: raw ? JSON.parse(raw) : undefined };
}

function ndjson(lines: unknown[]): string {
  return `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`;
}

function create(id: string, source: unknown, index = 'logs-1') {
  return [{ create: { _index: index, _id: id } }, source];
}

async function bulk(lines: unknown[]) {
  return call('POST', '/_bulk', ndjson(lines), 'application/x-ndjson');
}

describe('fake _bulk', () => {
  it('creates the index from the template and stores the document', async () => {
    const result = await bulk(
      create('a', { id: 'a', at: '2026-01-15T12:00:00.5Z' }),
    );

    expect(result.status).toBe(200);
    expect(result.body.errors).toBe(false);
    expect(result.body.items[0].create).toMatchObject({
      _index: 'logs-1',
      _id: 'a',
      result: 'created',
      status: 201,
    });
    expect(fake.index('logs-1')?.mappings.dynamic).toBe('strict');
  });

  it('answers 409 to a create of an existing id', async () => {
    await bulk(create('a', { id: 'a' }));

    const result = await bulk(create('a', { id: 'other' }));

    expect(result.body.errors).toBe(true);
    expect(result.body.items[0].create.status).toBe(409);
    expect(result.body.items[0].create.error.type).toBe(
      'version_conflict_engine_exception',
    );
    expect(fake.index('logs-1')?.documents.get('a')?.source).toEqual({
      id: 'a',
    });
  });

  it.each<[string, unknown, string]>([
    ['an unknown field', { extra: 1 }, 'strict_dynamic_mapping_exception'],
    ['an invalid date', { at: 'yesterday' }, 'mapper_parsing_exception'],
    ['a flat object that is text', { labels: 'x' }, 'mapper_parsing_exception'],
    ['an object for a keyword', { id: { a: 1 } }, 'mapper_parsing_exception'],
  ])('rejects the item with %s', async (_, source, type) => {
    const result = await bulk([
      ...create('bad', source),
      ...create('good', { id: 'g' }),
    ]);

    const [bad, good] = result.body.items;
    expect(result.body.errors).toBe(true);
    expect(bad.create.status).toBe(400);
    expect(bad.create.error.type).toBe(type);
    expect(good.create.status).toBe(201);
  });

  it('maps an index without a template dynamically, with conflicts', async () => {
    await bulk(create('1', { source: 'gateway' }, 'other'));

    const result = await bulk(
      create('2', { source: { address: '10.0.0.1' } }, 'other'),
    );

    expect(result.body.items[0].create.error.type).toBe(
      'mapper_parsing_exception',
    );
  });

  it('answers 413 with no body above the size limit', async () => {
    const result = await bulk(create('big', { id: 'x'.repeat(5000) }));

    expect(result).toEqual({ status: 413, body: undefined });
  });

  it('answers injected 429s in OpenSearch error shape', async () => {
    fake.rejectBulkRequests(1);
    fake.rejectBulkItems(1);

    const whole = await bulk(create('a', { id: 'a' }));
    const items = await bulk([
      ...create('a', { id: 'a' }),
      ...create('b', { id: 'b' }),
    ]);

    expect(whole.status).toBe(429);
    expect(whole.body.status).toBe(429);
    expect(whole.body.error.type).toBe('rejected_execution_exception');
    expect(whole.body.error.root_cause[0].type).toBe(
      'rejected_execution_exception',
    );
    expect(items.body.items.map((item: any) => item.create.status)).toEqual([
      429, 201,
    ]);
  });

  it.each<[string, string, string]>([
    [
      'no final newline',
      '{"create":{"_index":"logs-1"}}\n{}',
      'illegal_argument_exception',
    ],
    ['no operations', '\n', 'action_request_validation_exception'],
    [
      'a long id',
      ndjson(create('i'.repeat(513), {})),
      'action_request_validation_exception',
    ],
  ])('fails the whole request with %s', async (_, body, type) => {
    const result = await call('POST', '/_bulk', body, 'application/x-ndjson');

    expect(result.status).toBe(400);
    expect(result.body.error.type).toBe(type);
  });

  it('answers 406 to an unsupported content type', async () => {
    const result = await call(
      'POST',
      '/_bulk',
      ndjson(create('a', {})),
      'text/plain',
    );

    expect(result.status).toBe(406);
  });

  it('rejects a template with an undefined normalizer', async () => {
    const broken = structuredClone(TEMPLATE);
    broken.template.settings.analysis.normalizer = {} as never;

    const result = await call('PUT', '/_index_template/broken', broken);

    expect(result.status).toBe(400);
    expect(result.body.error.reason).toBe(
      'normalizer [lower] not found for field [text.substring]',
    );
  });
});

describe('fake _search', () => {
  beforeEach(async () => {
    await bulk([
      ...create('1', {
        id: '1',
        at: '2026-01-15T12:00:00.000000001Z',
        text: 'Disk 100% FULL',
        labels: { app: 'a', 'app.name': 'b' },
      }),
      ...create('2', {
        id: '2',
        at: '2026-01-15T12:00:00.000000002Z',
        text: 'glob *.log',
        labels: { app: 'b' },
      }),
      ...create('3', {
        id: '3',
        at: '2026-01-15T12:00:00.000000002Z',
        text: 'a?b',
        labels: {},
      }),
    ]);
  });

  async function ids(body: Record<string, unknown>) {
    const result = await call('POST', '/logs-*/_search', {
      sort: [{ at: 'desc' }, { id: 'desc' }],
      ...body,
    });
    return result.body.hits.hits.map((hit: { _id: string }) => hit._id);
  }

  const wildcard = (value: string) => ({
    wildcard: { 'text.substring': { value } },
  });

  it.each<[string, string[]]>([
    ['*100% full*', ['1']],
    ['*\\*.log*', ['2']],
    ['*a\\?b*', ['3']],
    ['*a?b*', ['3']],
    ['*?.log*', ['2']],
  ])(
    'matches the wildcard %s on the normalized value',
    async (value, expected) => {
      expect(await ids({ query: wildcard(value) })).toEqual(expected);
    },
  );

  it.each<[Record<string, string>, string[]]>([
    [{ 'labels.app': 'a' }, ['1']],
    [{ 'labels.app.name': 'b' }, ['1']],
    [{ 'labels.app': 'b' }, ['2']],
  ])('matches flat object paths by %j', async (term, expected) => {
    expect(await ids({ query: { term } })).toEqual(expected);
  });

  it('orders by nanoseconds and continues after search_after', async () => {
    expect(await ids({})).toEqual(['3', '2', '1']);
    expect(
      await ids({ search_after: ['2026-01-15T12:00:00.000000002Z', '3'] }),
    ).toEqual(['2', '1']);
  });

  it('answers 404 for a missing index unless told to ignore it', async () => {
    const missing = await call('POST', '/logs-1,logs-9/_search', {});
    const ignored = await call(
      'POST',
      '/logs-1,logs-9/_search?ignore_unavailable=true',
      {},
    );

    expect(missing.status).toBe(404);
    expect(missing.body.error.type).toBe('index_not_found_exception');
    expect(ignored.body.hits.hits).toHaveLength(3);
  });

  it('refuses a window above 10,000 records', async () => {
    const result = await call('POST', '/logs-1/_search', { size: 10_001 });

    expect(result.status).toBe(400);
    expect(result.body.error.type).toBe('search_phase_execution_exception');
    expect(result.body.error.root_cause[0].reason).toMatch(
      /Result window is too large/,
    );
  });

  it('refuses a query type it does not implement', async () => {
    const result = await call('POST', '/logs-1/_search', {
      query: { query_string: { query: 'disk' } },
    });

    expect(result.status).toBe(400);
    expect(result.body.error.type).toBe('parsing_exception');
  });

  it('fills empty histogram buckets unless min_doc_count is 1', async () => {
    await bulk(create('4', { id: '4', at: '2026-01-15T12:00:02Z' }));
    const histogram = (minDocCount: number) =>
      call('POST', '/logs-1/_search', {
        size: 0,
        aggs: {
          times: {
            date_histogram: {
              field: 'at',
              fixed_interval: '1s',
              min_doc_count: minDocCount,
            },
            aggs: { ids: { terms: { field: 'id' } } },
          },
        },
      });

    const filled = await histogram(0);
    const sparse = await histogram(1);

    const counts = (result: typeof filled) =>
      result.body.aggregations.times.buckets.map(
        (bucket: any) => bucket.doc_count,
      );
    expect(counts(filled)).toEqual([3, 0, 1]);
    expect(counts(sparse)).toEqual([3, 1]);
    expect(sparse.body.aggregations.times.buckets[0].key).toBe(
      Date.UTC(2026, 0, 15, 12),
    );
  });
});
