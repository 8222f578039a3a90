import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { keyRecord } from '#shared/auth/bootstrap.js';
import {
  API_KEY_KIND,
  generateKey,
  KEY_SCOPES,
  type KeyScope,
} from '#shared/auth/keys.js';
import { loadConfig } from '#shared/config.js';
import { createDynamoDbConfigStore } from '#shared/store/aws/dynamodb/config-store.js';

const USAGE =
  'usage: npx tsx scripts/create-key.ts --table <config table> ' +
  '--name <name> --scopes <ingest,read,admin> [--region <region>]';

/** Raised for bad command-line input; the message names the option. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface CreateKeyOptions {
  table: string;
  name: string;
  scopes: KeyScope[];
  region: string | undefined;
}

function parseScopes(text: string): KeyScope[] {
  const scopes = text
    .split(',')
    .map((scope) => scope.trim())
    .filter((scope) => scope !== '');
  const unknown = scopes.filter(
    (scope) => !(KEY_SCOPES as readonly string[]).includes(scope),
  );
  if (scopes.length === 0 || unknown.length > 0) {
    throw new UsageError(
      `invalid --scopes ${JSON.stringify(text)}: expected a comma-separated ` +
        `list of ${KEY_SCOPES.join(', ')}`,
    );
  }
  return [...new Set(scopes)] as KeyScope[];
}

/** Reads the options from `argv` (without the node and script paths). */
export function parseOptions(argv: string[]): CreateKeyOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      table: { type: 'string' },
      name: { type: 'string' },
      scopes: { type: 'string' },
      region: { type: 'string' },
    },
    strict: true,
  });
  for (const option of ['table', 'name', 'scopes'] as const) {
    if (!values[option]?.trim()) {
      throw new UsageError(`missing --${option}`);
    }
  }
  const name = values.name?.trim() ?? '';
  if (name.length > 100) {
    throw new UsageError('invalid --name: expected at most 100 characters');
  }
  return {
    table: values.table?.trim() ?? '',
    name,
    scopes: parseScopes(values.scopes ?? ''),
    region: values.region,
  };
}

/**
 * Generates a key, stores its record (the SHA-256 hash, never the key)
 * in the config table through the DynamoDB config store, and returns the
 * key and its id. AWS credentials come from the SDK's default chain.
 */
export async function createKey(
  options: CreateKeyOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ key: string; id: string }> {
  const config = loadConfig({
    ...env,
    STORAGE: 'aws',
    OBSERVATORY_CONFIG_TABLE: options.table,
    ...(options.region ? { AWS_REGION: options.region } : {}),
  });
  const store = createDynamoDbConfigStore(config.aws);
  const key = generateKey();
  const record = keyRecord(key, options.name, options.scopes, Date.now());
  await store.put(API_KEY_KIND, record.id, record);
  return { key, id: record.id };
}

async function main(): Promise<void> {
  let options: CreateKeyOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }

  const { key, id } = await createKey(options);
  console.log(
    `Created API key ${id} (${options.name}; scopes ` +
      `${options.scopes.join(', ')}). It is shown only now; only its hash ` +
      `is stored:\n\n  ${key}\n\nSend it as x-api-key or ` +
      'Authorization: Bearer <key>.',
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    console.error(`creating the key failed: ${(error as Error).message}`);
    process.exitCode = 1;
  });
}
