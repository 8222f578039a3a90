const BIGINT_MARK = '\u0000bigint:';

/**
 * Serializes `value` to JSON, writing bigint values as exact JSON numbers
 * (JSON.stringify throws on them, and a 64-bit integer above 2^53 must not
 * be rounded through a double).
 */
export function toJson(value: unknown): string {
  const text = JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'bigint' ? `${BIGINT_MARK}${item.toString()}` : item,
  );
  return text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}
