import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { StoreError } from '../../../errors.js';

/** Maximum puts in one BatchWriteItem call (a DynamoDB limit). */
export const WRITE_BATCH_SIZE = 25;
/** Maximum keys in one BatchGetItem call (a DynamoDB limit). */
export const GET_BATCH_SIZE = 100;
/** Calls to DynamoDB in flight at once for per-item work. */
export const CONCURRENCY = 16;

/** Attempts at the unprocessed part of a batch before giving up. */
const MAX_ATTEMPTS = 8;
const BASE_DELAY_MS = 25;
const MAX_DELAY_MS = 2_000;

type Item = Record<string, unknown>;

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    chunks.push(items.slice(i, i + size));
  }
  return chunks;
}

/**
 * Runs `work` on every item with at most `limit` calls in flight, and
 * returns the results in input order. The first failure rejects.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index] as T, index);
    }
  };
  const workers = Math.min(limit, items.length);
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}

/** Full-jitter exponential backoff before attempt `attempt` (from 1). */
export function backoffMs(attempt: number, random = Math.random): number {
  const cap = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
  return Math.floor(random() * cap);
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

function exhausted(what: string, left: number): StoreError {
  return new StoreError(
    `${what} left ${left} item(s) unprocessed after ${MAX_ATTEMPTS} ` +
      'attempts; the table is throttled, so retry the request later',
  );
}

/**
 * Puts items with BatchWriteItem, 25 per call, retrying what DynamoDB
 * returns as unprocessed with backoff. Only for puts that need no
 * condition: BatchWriteItem cannot take one.
 */
export async function batchPut(
  client: DynamoDBDocumentClient,
  table: string,
  items: readonly object[],
): Promise<void> {
  await mapLimit(chunk(items, WRITE_BATCH_SIZE), CONCURRENCY, (part) =>
    putChunk(client, table, part),
  );
}

async function putChunk(
  client: DynamoDBDocumentClient,
  table: string,
  items: object[],
) {
  let requests = items.map((item) => ({ PutRequest: { Item: item as Item } }));
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const output = await client.send(
      new BatchWriteCommand({ RequestItems: { [table]: requests } }),
    );
    const left = output.UnprocessedItems?.[table] ?? [];
    if (left.length === 0) return;
    requests = left as typeof requests;
    await sleep(backoffMs(attempt));
  }
  throw exhausted('BatchWriteItem', requests.length);
}

/**
 * Reads items by key with BatchGetItem, 100 keys per call, retrying
 * unprocessed keys with backoff. Missing items are left out; the result
 * is in no particular order. Reads are strongly consistent.
 */
export async function batchGet(
  client: DynamoDBDocumentClient,
  table: string,
  keys: readonly Item[],
  projection?: string,
): Promise<Item[]> {
  const parts = await mapLimit(
    chunk(keys, GET_BATCH_SIZE),
    CONCURRENCY,
    (part) => getChunk(client, table, part, projection),
  );
  return parts.flat();
}

async function getChunk(
  client: DynamoDBDocumentClient,
  table: string,
  keys: Item[],
  projection: string | undefined,
) {
  const found: Item[] = [];
  let pending = keys;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const output = await client.send(
      new BatchGetCommand({
        RequestItems: {
          [table]: {
            Keys: pending,
            ConsistentRead: true,
            ProjectionExpression: projection,
          },
        },
      }),
    );
    found.push(...(output.Responses?.[table] ?? []));
    pending = output.UnprocessedKeys?.[table]?.Keys ?? [];
    if (pending.length === 0) return found;
    await sleep(backoffMs(attempt));
  }
  throw exhausted('BatchGetItem', pending.length);
}
