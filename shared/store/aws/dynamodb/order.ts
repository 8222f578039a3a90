/**
 * Compares strings by UTF-16 code units, as `<` does, for sorting. For
 * text without characters outside the Basic Multilingual Plane this is
 * also the byte order that DynamoDB and DuckDB sort strings in.
 */
export function compareText(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}
