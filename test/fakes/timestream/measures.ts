import type { DuckDBValue } from '@duckdb/node-api';
import { Rejected } from './errors.js';
import type { WireRecord } from './write.js';

/** Parses one measure value by its type; invalid values reject the record. */
export function parseMeasure(
  name: string,
  type: string,
  value: string,
): DuckDBValue {
  const invalid = () =>
    new Rejected(
      `Invalid ${type} value ${JSON.stringify(value)} for measure ${name}`,
    );
  switch (type) {
    case 'DOUBLE': {
      const number = Number(value);
      if (value.trim() === '' || !Number.isFinite(number)) throw invalid();
      return number;
    }
    case 'BIGINT':
      if (!/^-?\d+$/.test(value)) throw invalid();
      return BigInt(value);
    case 'BOOLEAN':
      if (value !== 'true' && value !== 'false') throw invalid();
      return value === 'true';
    case 'VARCHAR':
      if (value.length === 0 || value.length > 2_048) throw invalid();
      return value;
    default:
      throw invalid();
  }
}

/** The measures of a record: its MeasureValues, or its one scalar value. */
export function measuresOf(record: WireRecord) {
  if (record.MeasureValueType === 'MULTI') {
    const values = record.MeasureValues ?? [];
    if (values.length === 0)
      throw new Rejected('A MULTI record needs MeasureValues');
    return values.map((m) => ({
      name: m.Name ?? '',
      type: m.Type ?? '',
      value: m.Value ?? '',
    }));
  }
  const type = record.MeasureValueType ?? 'DOUBLE';
  return [
    {
      name: `measure_value::${type.toLowerCase()}`,
      type,
      value: record.MeasureValue ?? '',
    },
  ];
}
