import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AwsConfig, requireSetting } from '../../../config.js';

/**
 * Builds a document client for the configured region, or for the
 * endpoint override (an emulator on 127.0.0.1) when one is set. Items
 * written through it carry no bigint: times and 64-bit integers are
 * stored as decimal strings, because the client reads every number back
 * as a JavaScript number, which loses digits past 2^53.
 */
export function createDocumentClient(aws: AwsConfig): DynamoDBDocumentClient {
  const region = requireSetting(aws.region, 'AWS_REGION');
  const client = new DynamoDBClient({
    region,
    ...(aws.endpoints.dynamodb ? { endpoint: aws.endpoints.dynamodb } : {}),
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/** Returns the traces table's name, or fails naming its variable. */
export function tracesTableName(aws: AwsConfig): string {
  return requireSetting(aws.tracesTable, 'OBSERVATORY_TRACES_TABLE');
}

/** Returns the config table's name, or fails naming its variable. */
export function configTableName(aws: AwsConfig): string {
  return requireSetting(aws.configTable, 'OBSERVATORY_CONFIG_TABLE');
}

/** Returns whether a write failed only because its condition was false. */
export function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof Error && error.name === 'ConditionalCheckFailedException'
  );
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
