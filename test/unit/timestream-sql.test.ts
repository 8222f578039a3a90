import { describe, expect, it } from 'vitest';
import type { MetricQuery } from '#shared/model/metric.js';
import {
  aggregateSql,
  distributionWhere,
  existingWhere,
  latestTypeSql,
  metricListSql,
  pointsSql,
  rangeWhere,
  type SqlTarget,
  valueTotalsSql,
} from '#shared/store/aws/timestream/metric-sql.js';
import {
  fullMatchPattern,
  integerLiteral,
  quoteIdentifier,
  quoteLiteral,
  type TableColumn,
  TableSchema,
  tableReference,
} from '#shared/store/aws/timestream/sql.js';
import { gauge } from '../contract/metric-store.contract.js';

const column = (
  name: string,
  type: string,
  attribute: TableColumn['attribute'],
): TableColumn => ({ name, type, attribute });

/** A table with the columns a gauge and a histogram write create. */
const SCHEMA = new TableSchema([
  column('service', 'varchar', 'DIMENSION'),
  column('label.host', 'varchar', 'DIMENSION'),
  column('label.zone', 'varchar', 'DIMENSION'),
  column('measure_name', 'varchar', 'MEASURE_NAME'),
  column('time', 'timestamp', 'TIMESTAMP'),
  column('metric_type', 'varchar', 'MULTI'),
  column('unit', 'varchar', 'MULTI'),
  column('value', 'double', 'MULTI'),
  column('count', 'bigint', 'MULTI'),
  column('sum', 'double', 'MULTI'),
  column('min', 'double', 'MULTI'),
  column('max', 'double', 'MULTI'),
  column('write_id', 'varchar', 'MULTI'),
]);

const TARGET: SqlTarget = { table: '"obs"."metrics"', schema: SCHEMA };

const QUERY: MetricQuery = {
  service: 'api',
  metric_name: 'cpu.util',
  matchers: [],
  start_ms: 1_700_000_000_000,
  end_ms: 1_700_003_600_000,
  interval_ms: 60_000,
  aggregation: 'avg',
};

const RANGE = [
  "WHERE measure_name = 'cpu.util'",
  `  AND "service" = 'api'`,
  '  AND time >= from_milliseconds(1700000000000)',
  '  AND time < from_milliseconds(1700003600000)',
];

describe('quoting', () => {
  it.each([
    ['plain', 'host', '"host"'],
    ['double quote', 'a"b', '"a""b"'],
    ['comment', 'x -- y /* z */', '"x -- y /* z */"'],
    ['unicode', 'zoné 東京', '"zoné 東京"'],
    ['SQL', '"; DROP TABLE t; --', '"""; DROP TABLE t; --"'],
  ])('quotes an identifier with %s', (_case, name, expected) => {
    expect(quoteIdentifier(name)).toBe(expected);
  });

  it.each([
    ['plain', 'host-a', "'host-a'"],
    ['single quote', "x' OR '1'='1", "'x'' OR ''1''=''1'"],
    ['comment', "a'--", "'a''--'"],
    ['backslash', 'a\\', "'a\\'"],
    ['unicode', 'ünï 🚀', "'ünï 🚀'"],
    ['SQL', "'; DELETE FROM t; --", "'''; DELETE FROM t; --'"],
  ])('quotes a literal with %s', (_case, value, expected) => {
    expect(quoteLiteral(value)).toBe(expected);
  });

  it.each([1.5, Number.NaN, 2 ** 60])(
    'refuses %s as an integer literal',
    (value) => {
      expect(() => integerLiteral(value)).toThrow(RangeError);
    },
  );

  it('quotes both parts of a table reference', () => {
    expect(tableReference('my"db', 'metrics')).toBe('"my""db"."metrics"');
  });

  it('anchors a regex at both ends of the text', () => {
    expect(fullMatchPattern('a|b')).toBe('\\A(?:a|b)\\z');
  });
});

describe('generated SQL', () => {
  it('pins the bucketed aggregation per label set', () => {
    expect(aggregateSql(TARGET, QUERY, 'min')).toBe(
      [
        'SELECT "label.host" AS l0,',
        '  "label.zone" AS l1,',
        '  to_milliseconds(bin(time, 60000ms)) AS bucket_ms,',
        '  CAST(min(coalesce("value", "min")) AS DOUBLE) AS value',
        'FROM "obs"."metrics"',
        ...RANGE,
        'GROUP BY "label.host", "label.zone", bin(time, 60000ms)',
      ].join('\n'),
    );
  });

  it('pins the value totals with group_by and matchers', () => {
    const sql = valueTotalsSql(TARGET, {
      ...QUERY,
      group_by: ['zone', 'region'],
      matchers: [
        { label: 'host', op: '!=', value: "x'y" },
        { label: 'zone', op: '!~', value: 'eu-.*' },
      ],
    });

    expect(sql).toBe(
      [
        `SELECT coalesce("label.zone", '') AS g0,`,
        `  '' AS g1,`,
        '  to_milliseconds(bin(time, 60000ms)) AS bucket_ms,',
        '  CAST(sum("value") AS DOUBLE) AS sum,',
        '  CAST(count("value") AS DOUBLE) AS count',
        'FROM "obs"."metrics"',
        ...RANGE,
        `  AND coalesce("label.host", '') <> 'x''y'`,
        `  AND NOT regexp_like(coalesce("label.zone", ''), '\\A(?:eu-.*)\\z')`,
        '  AND "value" IS NOT NULL',
        `GROUP BY coalesce("label.zone", ''), bin(time, 60000ms)`,
      ].join('\n'),
    );
  });

  it('pins the max expression', () => {
    expect(aggregateSql(TARGET, QUERY, 'max')).toContain(
      'CAST(max(coalesce("value", "max")) AS DOUBLE) AS value',
    );
  });

  it('selects the histogram and summary points of a range', () => {
    expect(distributionWhere(TARGET, QUERY)).toBe(
      [
        "measure_name = 'cpu.util'",
        ...RANGE.slice(1),
        '  AND "value" IS NULL',
      ].join('\n'),
    );
  });

  it('pins the read of whole points', () => {
    expect(pointsSql(TARGET, rangeWhere(TARGET, QUERY), 250_001)).toBe(
      [
        'SELECT measure_name,',
        '  "service" AS service,',
        '  CAST(NULL AS VARCHAR) AS start_ms,',
        '  to_milliseconds(time) AS time_ms,',
        '  "label.host" AS l0,',
        '  "label.zone" AS l1,',
        '  "metric_type",',
        '  "unit",',
        '  "value",',
        '  "count",',
        '  "sum",',
        '  "min",',
        '  "max"',
        'FROM "obs"."metrics"',
        ...RANGE,
        'LIMIT 250001',
      ].join('\n'),
    );
  });

  it('pins the latest type and unit of a range', () => {
    expect(latestTypeSql(TARGET, QUERY)).toBe(
      [
        'SELECT max_by("metric_type", time) AS type,',
        '  max_by("unit", time) AS unit',
        'FROM "obs"."metrics"',
        ...RANGE,
      ].join('\n'),
    );
  });

  it('pins one page of the metric list', () => {
    const sql = metricListSql(TARGET, {
      service: "o'brien",
      limit: 11,
      after: 'cpu.util',
    });

    expect(sql).toBe(
      [
        'SELECT measure_name AS name,',
        '  max_by("metric_type", time) AS type,',
        '  max_by("unit", time) AS unit,',
        '  to_milliseconds(max(time)) AS last_seen_ms,',
        '  count("label.host") AS k0,',
        '  count("label.zone") AS k1',
        'FROM "obs"."metrics"',
        `WHERE "service" = 'o''brien' AND measure_name > 'cpu.util'`,
        'GROUP BY measure_name',
        'ORDER BY measure_name',
        'LIMIT 11',
      ].join('\n'),
    );
  });

  it('pins the lookup of stored records', () => {
    const points = [
      gauge(1, { host: 'a' }, { timestamp_ms: 1_000 }),
      gauge(2, { host: 'b' }, { timestamp_ms: 1_000 }),
      gauge(3, { host: 'a' }, { timestamp_ms: 2_000, name: "it's" }),
    ];

    expect(existingWhere(TARGET, points)).toBe(
      [
        `measure_name IN ('cpu.util', 'it''s')`,
        `  AND "service" IN ('api')`,
        '  AND time IN (from_milliseconds(1000), from_milliseconds(2000))',
      ].join('\n'),
    );
  });

  it('reads columns the table lacks as typed NULLs', () => {
    const empty: SqlTarget = {
      table: '"obs"."metrics"',
      schema: new TableSchema([]),
    };

    const sql = valueTotalsSql(empty, {
      ...QUERY,
      matchers: [{ label: 'host', op: '=', value: 'a' }],
    });

    expect(sql).toContain(`CAST(NULL AS VARCHAR) = 'api'`);
    expect(sql).toContain(`AND '' = 'a'`);
    expect(sql).toContain('sum(CAST(NULL AS DOUBLE))');
    expect(sql).not.toMatch(/"label\./);
  });
});

describe('hostile names and values', () => {
  const hostile = [
    `x' OR '1'='1`,
    'a"b',
    '-- comment',
    '/* block */',
    "'; DROP TABLE metrics; --",
    'zoné 東京 🚀',
    'back\\slash',
  ];
  const schema = new TableSchema(
    hostile.map((key) => column(`label.${key}`, 'varchar', 'DIMENSION')),
  );
  const target: SqlTarget = { table: '"obs"."metrics"', schema };

  it.each(hostile)('keeps %s inside its quotes', (text) => {
    const sql = valueTotalsSql(target, {
      ...QUERY,
      service: text,
      metric_name: text,
      matchers: [{ label: text, op: '=~', value: text }],
      group_by: [text],
    });

    // Removing every quoted literal and identifier must leave no trace of
    // the hostile text: it never reaches the SQL outside its quotes.
    const bare = sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"/g, '');
    expect(bare).not.toContain(text);
    expect(sql).toContain(quoteLiteral(text));
    expect(sql).toContain(quoteIdentifier(`label.${text}`));
  });
});
