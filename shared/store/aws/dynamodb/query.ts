import {
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';

type Item = Record<string, unknown>;
type Key = Record<string, unknown>;

/** One page of a Query and the key to continue from, if any remain. */
export interface QueryPage<T> {
  items: T[];
  next?: Key;
}

/** Runs one Query call, starting after `from` when given. */
export async function queryPage<T = Item>(
  client: DynamoDBDocumentClient,
  input: QueryCommandInput,
  from?: Key,
): Promise<QueryPage<T>> {
  const output = await client.send(
    new QueryCommand({ ...input, ExclusiveStartKey: from }),
  );
  const items = (output.Items ?? []) as T[];
  return output.LastEvaluatedKey
    ? { items, next: output.LastEvaluatedKey }
    : { items };
}

/**
 * Runs a Query to its end, following `LastEvaluatedKey` past each page
 * (DynamoDB returns at most 1 MB per call).
 */
export async function queryAll<T = Item>(
  client: DynamoDBDocumentClient,
  input: QueryCommandInput,
): Promise<T[]> {
  const items: T[] = [];
  let from: Key | undefined;
  do {
    const page = await queryPage<T>(client, input, from);
    items.push(...page.items);
    from = page.next;
  } while (from);
  return items;
}

/**
 * Runs a Query until it has `max` items or reaches its end, asking each
 * call for no more than are still missing.
 */
export async function queryUpTo<T = Item>(
  client: DynamoDBDocumentClient,
  input: QueryCommandInput,
  max: number,
): Promise<T[]> {
  const items: T[] = [];
  let from: Key | undefined;
  while (items.length < max) {
    const limit = max - items.length;
    const page = await queryPage<T>(client, { ...input, Limit: limit }, from);
    items.push(...page.items);
    from = page.next;
    if (!from) break;
  }
  return items.slice(0, max);
}
