import { z } from 'zod';
import { keyRecord } from '#shared/auth/bootstrap.js';
import {
  API_KEY_KIND,
  type ApiKeyRecord,
  generateKey,
  KEY_SCOPES,
} from '#shared/auth/keys.js';
import { type Deps, lazyHandler } from '#shared/deps.js';
import { NotFoundError } from '#shared/errors.js';
import { createDomainHandler } from '#shared/http/handler.js';
import { type ApiRequest, readBody, readQuery } from '#shared/http/request.js';

const createKeySchema = z.object({
  name: z.string().trim().min(1).max(100),
  scopes: z
    .array(z.enum(KEY_SCOPES))
    .min(1, 'expected at least one of ingest, read, admin'),
});

const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().optional(),
});

/** A key as listed: everything but its hash. */
function publicView(record: ApiKeyRecord) {
  const { hash: _hash, ...rest } = record;
  return rest;
}

async function createKey(deps: Deps, request: ApiRequest) {
  const body = readBody(request, createKeySchema);
  const key = generateKey();
  const scopes = [...new Set(body.scopes)];
  const record = keyRecord(key, body.name, scopes, deps.clock.now());
  await deps.stores.config.put(API_KEY_KIND, record.id, record);

  deps.logger.info('api key created', { key_id: record.id, scopes });
  return { status: 201, body: { ...publicView(record), key } };
}

async function listKeys(deps: Deps, request: ApiRequest) {
  const query = readQuery(request, listQuerySchema);
  const page = await deps.stores.config.list<ApiKeyRecord>(API_KEY_KIND, query);
  return {
    status: 200,
    body: {
      keys: page.items.map((item) => publicView(item.value)),
      next_cursor: page.next_cursor,
    },
  };
}

async function revokeKey(deps: Deps, request: ApiRequest) {
  const id = request.params.key_id ?? '';
  const item = await deps.stores.config.get<ApiKeyRecord>(API_KEY_KIND, id);
  if (!item) throw new NotFoundError(`API key ${id} not found`);

  const record = item.value;
  if (record.revoked_at === null) {
    record.revoked_at = new Date(deps.clock.now()).toISOString();
    await deps.stores.config.put(API_KEY_KIND, id, record);
    deps.logger.info('api key revoked', { key_id: id });
  }
  return { status: 200, body: publicView(record) };
}

/** Builds the handler that lists, creates and revokes API keys. */
export function createKeysHandler(deps: Deps) {
  return createDomainHandler(
    {
      'GET /api/observatory/keys': (request) => listKeys(deps, request),
      'POST /api/observatory/keys': (request) => createKey(deps, request),
      'DELETE /api/observatory/keys/{key_id}': (request) =>
        revokeKey(deps, request),
    },
    deps.logger,
  );
}

export const handler = lazyHandler('keys', createKeysHandler, ['config']);
