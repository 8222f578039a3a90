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
