import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_KEY_KIND,
  type ApiKeyRecord,
  keyIdOf,
  keyMatches,
} from '#shared/auth/keys.js';
import { createDynamoDbConfigStore } from '#shared/store/aws/dynamodb/config-store.js';
import {
  type LocalDynamoDb,
  startLocalDynamoDb,
} from '#test/support/dynalite.js';
import {
  createKey,
  parseOptions,
  UsageError,
} from '../../scripts/create-key.js';

const run = promisify(execFile);

let dynamo: LocalDynamoDb;

/** Environment that points the script at the emulator, not at AWS. */
function emulatorEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_EC2_METADATA_DISABLED: 'true',
    OBSERVATORY_DYNAMODB_ENDPOINT: dynamo.endpoint,
  };
}

async function storedKey(id: string) {
  const store = createDynamoDbConfigStore(dynamo.aws);
  return store.get<ApiKeyRecord>(API_KEY_KIND, id);
}

describe('create-key options', () => {
  it('reads table, name, scopes and region', () => {
    const options = parseOptions([
      '--table',
      'observatory-config',
      '--name',
      'admin',
      '--scopes',
      'admin, ingest,read,admin',
      '--region',
      'eu-west-1',
    ]);

    expect(options).toEqual({
      table: 'observatory-config',
      name: 'admin',
      scopes: ['admin', 'ingest', 'read'],
      region: 'eu-west-1',
    });
  });

  it.each(['table', 'name', 'scopes'])('rejects a missing --%s', (option) => {
    const args = ['--table', 't', '--name', 'n', '--scopes', 'read'];
    const index = args.indexOf(`--${option}`);
    args.splice(index, 2);

    expect(() => parseOptions(args)).toThrow(UsageError);
    expect(() => parseOptions(args)).toThrow(`missing --${option}`);
  });

  it.each(['write', 'read,owner', ''])('rejects --scopes %j', (scopes) => {
    const args = ['--table', 't', '--name', 'n', '--scopes', scopes];

    expect(() => parseOptions(args)).toThrow(
      scopes === '' ? 'missing --scopes' : 'invalid --scopes',
    );
  });
});

describe('create-key against DynamoDB', () => {
  beforeAll(async () => {
    dynamo = await startLocalDynamoDb();
  });
  afterAll(() => dynamo.close());

  it('stores the hash of a new key, never the key', async () => {
    const { key, id } = await createKey(
      {
        table: dynamo.aws.configTable ?? '',
        name: 'admin',
        scopes: ['admin', 'ingest', 'read'],
        region: 'us-east-1',
      },
      emulatorEnv(),
    );

    const item = await storedKey(id);
    expect(id).toBe(keyIdOf(key));
    expect(item?.value.name).toBe('admin');
    expect(item?.value.scopes).toEqual(['admin', 'ingest', 'read']);
    expect(item?.value.revoked_at).toBeNull();
    expect(keyMatches(key, item?.value as ApiKeyRecord)).toBe(true);
    expect(JSON.stringify(item)).not.toContain(key);
  });

  it('prints the key once from the command line', async () => {
    const { stdout } = await run(
      'npx',
      [
        'tsx',
        'scripts/create-key.ts',
        '--table',
        dynamo.aws.configTable ?? '',
        '--name',
        'ci',
        '--scopes',
        'ingest',
      ],
      { env: emulatorEnv(), timeout: 60_000 },
    );
    const key = /\b(obs_[A-Za-z0-9_-]{43})\b/.exec(stdout)?.[1] ?? '';

    const item = await storedKey(keyIdOf(key));
    expect(item?.value.name).toBe('ci');
    expect(item?.value.scopes).toEqual(['ingest']);
  }, 60_000);

  it('exits with 2 and the usage on a bad option', async () => {
    const result = run('npx', ['tsx', 'scripts/create-key.ts', '--name', 'x'], {
      env: emulatorEnv(),
      timeout: 60_000,
    });

    await expect(result).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('missing --table'),
    });
  }, 60_000);
});
