import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logIdOf } from '#shared/logs/ingest.js';
import type { LogLevel, LogQuery, LogRecord } from '#shared/model/log.js';
import { severityNumberOf } from '#shared/model/log.js';
import type {
  LogCountQuery,
  LogLevelCount,
  LogStore,
} from '#shared/store/ports.js';

/** A store under test and how to release it. */
export interface LogStoreHandle {
  store: LogStore;
  close(): Promise<void>;
}

/** T0 in epoch milliseconds; the store does not check ingest windows. */
export const T0_MS = Date.UTC(2026, 0, 15, 12, 0, 0);
const NANOS_PER_MS = 1_000_000n;
const T0_NS = BigInt(T0_MS) * NANOS_PER_MS;
const TRACE_A = '7ca373f7c7e0f17df9965485593768ce';
const TRACE_B = '9e2a3dc06074b17540d54de4e51e735f';

interface RecordSpec extends Partial<Omit<LogRecord, 'time_unix_nano'>> {
  /** Offset from T0 in milliseconds. */
  at?: number;
  time_unix_nano?: bigint;
}

/** Builds a stored log record; the id is hashed unless given. */
export function logRecord(spec: RecordSpec = {}): LogRecord {
  const message = spec.message ?? 'request served';
  const level: LogLevel = spec.level ?? 'INFO';
  const time =
    spec.time_unix_nano ?? T0_NS + BigInt(spec.at ?? 0) * NANOS_PER_MS;
  const fields = {
    service: spec.service ?? 'checkout',
    time_unix_nano: time,
    body: spec.body ?? { stringValue: message },
    trace_id: spec.trace_id ?? null,
    span_id: spec.span_id ?? null,
  };
  return {
    ...fields,
    log_id: spec.log_id ?? logIdOf(fields),
    observed_time_unix_nano: T0_NS,
    level,
    severity_number: spec.severity_number ?? severityNumberOf(level),
    severity_text: spec.severity_text ?? level,
    message,
    attributes: spec.attributes ?? {},
    resource: spec.resource ?? {},
    scope: spec.scope ?? { name: '', version: '', attributes: {} },
  };
}

const MINUTE_MS = 60_000;

/** Orders counts by bucket, then level, since stores return any order. */
function sortCounts(counts: LogLevelCount[]): LogLevelCount[] {
  return [...counts].sort(
    (a, b) => a.bucket_ms - b.bucket_ms || a.level.localeCompare(b.level),
  );
}

function query(overrides: Partial<LogQuery> = {}): LogQuery {
  return {
    start_ms: T0_MS - 3_600_000,
    end_ms: T0_MS + 3_600_000,
    limit: 100,
    ...overrides,
  };
}

/**
 * The behaviour every log store adapter must show on the same inputs.
 * Call it from one test file per adapter with a factory for a fresh store.
 */
export function describeLogStoreContract(
  adapter: string,
  open: () => Promise<LogStoreHandle>,
): void {
  describe(`log store contract: ${adapter}`, () => {
    let handle: LogStoreHandle;
    let store: LogStore;

    beforeEach(async () => {
      handle = await open();
      store = handle.store;
    });
    afterEach(async () => {
      await handle.close();
    });

    async function messages(overrides: Partial<LogQuery> = {}) {
      const page = await store.search(query(overrides));
      return page.items.map((item) => item.message);
    }

    describe('write', () => {
      it('round-trips every field exactly', async () => {
        const record = logRecord({
          time_unix_nano: T0_NS + 123_456_789n,
          level: 'WARN',
          severity_number: 13,
          severity_text: 'warning',
          message: 'disk almost full',
          trace_id: TRACE_A,
          span_id: '46dfdbccdb1ddb89',
          attributes: {
            'disk.free': { intValue: '9007199254740993' },
            ratio: { doubleValue: 0.05 },
          },
          resource: { 'service.name': { stringValue: 'checkout' } },
          scope: { name: 'io.disk', version: '1.2.0', attributes: {} },
        });

        await store.write([record]);
        const page = await store.search(query());

        expect(page.items).toEqual([record]);
      });

      it('keeps dotted attribute keys flat', async () => {
        const resource = {
          app: { stringValue: 'authserver' },
          'app.kubernetes.io/name': { stringValue: 'authserver' },
          'app.kubernetes.io/component': { stringValue: 'auth' },
        };
        const first = logRecord({
          at: 1,
          attributes: { source: { stringValue: 'gateway' } },
          resource,
        });
        const second = logRecord({
          at: 2,
          attributes: { 'source.address': { stringValue: '10.0.0.1' } },
        });

        await store.write([first]);
        await store.write([second]);
        const page = await store.search(query());

        expect(page.items.map((item) => item.attributes)).toEqual([
          { 'source.address': { stringValue: '10.0.0.1' } },
          { source: { stringValue: 'gateway' } },
        ]);
        expect(page.items[1]?.resource).toEqual(resource);
      });

      it('stores a repeated batch once', async () => {
        const batch = [logRecord({ at: 1 }), logRecord({ at: 2 })];

        const first = await store.write(batch);
        const second = await store.write(batch);

        expect(first).toEqual({ written: 2, duplicates: 0, rejected: [] });
        expect(second).toEqual({ written: 0, duplicates: 2, rejected: [] });
        expect(await messages()).toHaveLength(2);
      });

      it('stores a repeat inside one batch once', async () => {
        const record = logRecord({ at: 1 });

        const result = await store.write([record, { ...record }]);

        expect(result).toEqual({ written: 1, duplicates: 1, rejected: [] });
        expect(await messages()).toHaveLength(1);
      });

      it('keeps the first record of a reused id', async () => {
        const first = logRecord({ log_id: 'evt-1', message: 'first' });
        const second = logRecord({ log_id: 'evt-1', message: 'second' });

        await store.write([first]);
        await store.write([second]);

        expect(await messages()).toEqual(['first']);
      });

      it('accepts an empty batch', async () => {
        expect(await store.write([])).toEqual({
          written: 0,
          duplicates: 0,
          rejected: [],
        });
      });
    });

    describe('search filters', () => {
      it('returns newest first within the range', async () => {
        await store.write([
          logRecord({ at: -7_200_000, message: 'too old' }),
          logRecord({ at: 0, message: 'middle' }),
          logRecord({ at: -1, message: 'oldest' }),
          logRecord({ at: 5, message: 'newest' }),
          logRecord({ at: 7_200_000, message: 'too new' }),
        ]);

        expect(await messages()).toEqual(['newest', 'middle', 'oldest']);
      });

      it('includes both ends of the range to the millisecond', async () => {
        await store.write([
          logRecord({ at: 0, message: 'at start' }),
          logRecord({
            time_unix_nano: T0_NS + 10n * NANOS_PER_MS + 999_999n,
            message: 'last nanosecond of end',
          }),
          logRecord({ at: 11, message: 'after end' }),
          logRecord({ at: -1, message: 'before start' }),
        ]);

        const found = await messages({ start_ms: T0_MS, end_ms: T0_MS + 10 });

        expect(found).toEqual(['last nanosecond of end', 'at start']);
      });

      it('filters by service and trace id', async () => {
        await store.write([
          logRecord({ at: 1, service: 'cart', trace_id: TRACE_A }),
          logRecord({
            at: 2,
            service: 'cart',
            trace_id: TRACE_B,
            message: 'match',
          }),
          logRecord({ at: 3, service: 'billing', trace_id: TRACE_B }),
        ]);

        const found = await messages({ service: 'cart', trace_id: TRACE_B });

        expect(found).toEqual(['match']);
      });

      it.each<[Partial<LogQuery>, string[]]>([
        [{ min_level: 'ERROR' }, ['FATAL', 'ERROR']],
        [{ max_level: 'DEBUG' }, ['DEBUG', 'TRACE']],
        [{ min_level: 'INFO', max_level: 'WARN' }, ['WARN', 'INFO']],
        [
          { min_level: 'TRACE' },
          ['FATAL', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE'],
        ],
        [
          {},
          ['FATAL', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE', 'UNSPECIFIED'],
        ],
      ])('filters levels by %j', async (levels, expected) => {
        const all: LogLevel[] = [
          'UNSPECIFIED',
          'TRACE',
          'DEBUG',
          'INFO',
          'WARN',
          'ERROR',
          'FATAL',
        ];
        await store.write(
          all.map((level, index) =>
            logRecord({ at: index, level, message: level }),
          ),
        );

        expect(await messages(levels)).toEqual(expected);
      });

      it('matches attributes in the record or its resource', async () => {
        await store.write([
          logRecord({
            at: 1,
            message: 'record attribute',
            attributes: { 'http.status_code': { intValue: '503' } },
          }),
          logRecord({
            at: 2,
            message: 'resource attribute',
            resource: { 'http.status_code': { stringValue: '503' } },
          }),
          logRecord({
            at: 3,
            message: 'other value',
            attributes: { 'http.status_code': { intValue: '200' } },
          }),
        ]);

        const found = await messages({
          attributes: { 'http.status_code': '503' },
        });

        expect(found).toEqual(['resource attribute', 'record attribute']);
      });

      it.each<[string, string]>([
        ['app', 'authserver'],
        ['app.kubernetes.io/name', 'authserver'],
        ['a~b', 'tilde'],
        ['quote"key', 'quoted'],
      ])('matches the attribute key %s exactly', async (key, value) => {
        await store.write([
          logRecord({
            at: 1,
            message: 'exact',
            resource: { [key]: { stringValue: value } },
          }),
          logRecord({
            at: 2,
            message: 'prefix only',
            resource: { app: { kvlistValue: { values: [] } } },
          }),
        ]);

        expect(await messages({ attributes: { [key]: value } })).toEqual([
          'exact',
        ]);
      });

      it('compares booleans and doubles as text', async () => {
        await store.write([
          logRecord({
            at: 1,
            message: 'typed',
            attributes: {
              cached: { boolValue: true },
              ratio: { doubleValue: 0.25 },
            },
          }),
        ]);

        const found = await messages({
          attributes: { cached: 'true', ratio: '0.25' },
        });

        expect(found).toEqual(['typed']);
      });

      it('requires every attribute filter to match', async () => {
        await store.write([
          logRecord({
            at: 1,
            attributes: { region: { stringValue: 'eu' } },
            resource: { tier: { stringValue: 'web' } },
          }),
        ]);

        expect(
          await messages({ attributes: { region: 'eu', tier: 'web' } }),
        ).toHaveLength(1);
        expect(
          await messages({ attributes: { region: 'eu', tier: 'db' } }),
        ).toEqual([]);
      });
    });

    describe('search syntax', () => {
      const corpus = [
        'Connection refused by upstream',
        'connection reset by peer',
        'Upstream timed out after 30s',
        'disk 100% full on /var',
        'disk 100 full on /var',
        'user_id missing in request',
        'userXid missing in request',
        "path C:\\temp\\app can't be read",
        'glob *.log matched nothing',
        'field level:error is plain text',
      ];

      beforeEach(async () => {
        await store.write(
          corpus.map((message, index) => logRecord({ at: index, message })),
        );
      });

      it.each<[string, string[]]>([
        ['connection', [corpus[1], corpus[0]]],
        ['CONNECTION upstream', [corpus[0]]],
        ['"refused by"', [corpus[0]]],
        ['"by upstream connection"', []],
        ['connection -reset', [corpus[0]]],
        ['upstream -"timed out"', [corpus[0]]],
        ['100%', [corpus[3]]],
        ['user_id', [corpus[5]]],
        ['C:\\temp', [corpus[7]]],
        ["can't", [corpus[7]]],
        ['*.log', [corpus[8]]],
        ['*', [corpus[8]]],
        ['level:error', [corpus[9]]],
        ['"disk 100% full', [corpus[3]]],
        [
          '-disk -connection -upstream -user',
          [corpus[7], corpus[8], corpus[9]],
        ],
      ])('applies %s', async (text, expected) => {
        const found = await messages({ text });

        expect(found.sort()).toEqual([...expected].sort());
      });
    });

    describe('pagination', () => {
      it('pages through equal timestamps without gaps or repeats', async () => {
        // Twenty-five records, five per millisecond, so pages split ties.
        const records = Array.from({ length: 25 }, (_, index) =>
          logRecord({ at: Math.floor(index / 5), message: `line ${index}` }),
        );
        await store.write(records);

        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.search(query({ limit: 7, cursor }));
          seen.push(...page.items.map((item) => item.log_id));
          cursor = page.next_cursor;
          pages += 1;
        } while (cursor && pages < 10);

        expect(pages).toBe(4);
        expect(new Set(seen).size).toBe(25);
        expect(seen.sort()).toEqual(records.map((r) => r.log_id).sort());
      });

      it('omits next_cursor when the page is the last', async () => {
        await store.write([logRecord({ at: 1 }), logRecord({ at: 2 })]);

        const page = await store.search(query({ limit: 2 }));

        expect(page.items).toHaveLength(2);
        expect(page.next_cursor).toBeUndefined();
      });
    });

    describe('levelCounts', () => {
      async function counts(overrides: Partial<LogCountQuery> = {}) {
        const found = await store.levelCounts({
          service: 'checkout',
          start_ms: T0_MS - 3_600_000,
          end_ms: T0_MS + 3_600_000,
          interval_ms: MINUTE_MS,
          ...overrides,
        });
        return sortCounts(found);
      }

      it('counts each level per bucket', async () => {
        await store.write([
          logRecord({ at: 0, level: 'INFO' }),
          logRecord({ at: 59_999, level: 'INFO' }),
          logRecord({ at: 60_000, level: 'ERROR' }),
          logRecord({ at: 60_500, level: 'ERROR' }),
          logRecord({ at: 61_000, level: 'WARN' }),
          logRecord({ at: 125_000, level: 'UNSPECIFIED' }),
          logRecord({ at: 130_000, level: 'FATAL' }),
        ]);

        expect(await counts()).toEqual([
          { bucket_ms: T0_MS, level: 'INFO', count: 2 },
          { bucket_ms: T0_MS + MINUTE_MS, level: 'ERROR', count: 2 },
          { bucket_ms: T0_MS + MINUTE_MS, level: 'WARN', count: 1 },
          { bucket_ms: T0_MS + 2 * MINUTE_MS, level: 'FATAL', count: 1 },
          { bucket_ms: T0_MS + 2 * MINUTE_MS, level: 'UNSPECIFIED', count: 1 },
        ]);
      });

      it('aligns buckets to the epoch, not to the range start', async () => {
        // T0 is 12:00 UTC, which is not a multiple of seven minutes.
        const interval = 7 * MINUTE_MS;
        const bucket = Math.floor(T0_MS / interval) * interval;
        await store.write([
          logRecord({ at: -1, message: 'before start' }),
          logRecord({ at: 0, message: 'at start' }),
        ]);

        const found = await counts({ start_ms: T0_MS, interval_ms: interval });

        expect(bucket).not.toBe(T0_MS);
        expect(found).toEqual([{ bucket_ms: bucket, level: 'INFO', count: 1 }]);
      });

      it('includes both ends of the range to the millisecond', async () => {
        await store.write([
          logRecord({ at: -1, level: 'DEBUG' }),
          logRecord({ at: 0, level: 'INFO' }),
          logRecord({
            time_unix_nano: T0_NS + 10n * NANOS_PER_MS + 999_999n,
            level: 'WARN',
          }),
          logRecord({ at: 11, level: 'ERROR' }),
        ]);

        const found = await counts({ start_ms: T0_MS, end_ms: T0_MS + 10 });

        expect(found).toEqual([
          { bucket_ms: T0_MS, level: 'INFO', count: 1 },
          { bucket_ms: T0_MS, level: 'WARN', count: 1 },
        ]);
      });

      it('counts only the requested service', async () => {
        await store.write([
          logRecord({ at: 1, service: 'checkout' }),
          logRecord({ at: 2, service: 'billing' }),
          logRecord({ at: 3, service: 'billing' }),
        ]);

        expect(await counts({ service: 'billing' })).toEqual([
          { bucket_ms: T0_MS, level: 'INFO', count: 2 },
        ]);
        expect(await counts({ service: 'unknown' })).toEqual([]);
      });

      it('applies the search text and level filters', async () => {
        await store.write([
          logRecord({ at: 1, level: 'ERROR', message: 'upstream timeout' }),
          logRecord({ at: 2, level: 'INFO', message: 'Timeout raised' }),
          logRecord({ at: 3, level: 'ERROR', message: 'disk full' }),
          logRecord({ at: 4, level: 'WARN', message: 'timeout, retrying' }),
        ]);

        const found = await counts({ text: 'timeout', min_level: 'WARN' });

        expect(found).toEqual([
          { bucket_ms: T0_MS, level: 'ERROR', count: 1 },
          { bucket_ms: T0_MS, level: 'WARN', count: 1 },
        ]);
      });

      it('counts times below a millisecond in their bucket', async () => {
        const lastNanoOfBucket = T0_NS + BigInt(MINUTE_MS) * NANOS_PER_MS - 1n;
        await store.write([
          logRecord({ time_unix_nano: lastNanoOfBucket, level: 'TRACE' }),
        ]);

        expect(await counts()).toEqual([
          { bucket_ms: T0_MS, level: 'TRACE', count: 1 },
        ]);
      });
    });

    describe('getTraceLogs', () => {
      it('lists the logs of one trace oldest first', async () => {
        await store.write([
          logRecord({ at: 3, trace_id: TRACE_A, message: 'third' }),
          logRecord({ at: 1, trace_id: TRACE_A, message: 'first' }),
          logRecord({ at: 2, trace_id: TRACE_B, message: 'other trace' }),
          logRecord({ at: -5_000_000, trace_id: TRACE_A, message: 'early' }),
        ]);

        const logs = await store.getTraceLogs(TRACE_A, 10);

        expect(logs.map((log) => log.message)).toEqual([
          'early',
          'first',
          'third',
        ]);
      });

      it('stops at the limit', async () => {
        await store.write(
          [1, 2, 3].map((at) => logRecord({ at, trace_id: TRACE_A })),
        );

        expect(await store.getTraceLogs(TRACE_A, 2)).toHaveLength(2);
      });
    });
  });
}
