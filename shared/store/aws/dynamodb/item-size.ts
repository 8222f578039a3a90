/** DynamoDB's limit on one item, names and values included. */
export const MAX_ITEM_BYTES = 400 * 1024;

/**
 * Most bytes a service name may take, so that every key built from it
 * stays under DynamoDB's 1,024-byte limit on a sort key.
 */
export const MAX_SERVICE_BYTES = 1000;

const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** Upper bound on a number's size: DynamoDB stores up to 38 digits. */
const NUMBER_BYTES = 21;

/**
 * Estimates the stored size of an attribute value by DynamoDB's rules.
 * Strings count their UTF-8 bytes, numbers at most 21 bytes, booleans and
 * nulls one byte. Lists and maps count 3 bytes, plus one byte and the
 * size of each element and each key's name. It never undercounts.
 */
export function valueSize(value: unknown): number {
  if (typeof value === 'string') return utf8Bytes(value);
  if (typeof value === 'number' || typeof value === 'bigint') {
    return NUMBER_BYTES;
  }
  if (value === null || value === undefined || typeof value === 'boolean') {
    return 1;
  }
  if (Array.isArray(value)) {
    return value.reduce((sum: number, item) => sum + 1 + valueSize(item), 3);
  }
  let size = 3;
  for (const [key, item] of Object.entries(value as object)) {
    size += 1 + utf8Bytes(key) + valueSize(item);
  }
  return size;
}

/** Estimates an item's stored size: its attribute names and values. */
export function itemSize(item: object): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    size += utf8Bytes(name) + valueSize(value);
  }
  return size;
}

/** Explains why a span cannot be stored as one item; undefined if it can. */
export function spanItemProblem(
  service: string,
  item: object,
): string | undefined {
  const serviceBytes = utf8Bytes(service);
  if (serviceBytes > MAX_SERVICE_BYTES) {
    return (
      `service name is ${serviceBytes} bytes, above the ` +
      `${MAX_SERVICE_BYTES} bytes a DynamoDB key can hold; send a shorter ` +
      'service.name'
    );
  }
  const size = itemSize(item);
  if (size > MAX_ITEM_BYTES) {
    return (
      `span is about ${size} bytes as a DynamoDB item, above the ` +
      `${MAX_ITEM_BYTES}-byte item limit; send fewer or shorter attributes, ` +
      'events or links'
    );
  }
  return undefined;
}
