import type { ConfigStore } from '../store/ports.js';
import {
  API_KEY_KIND,
  type ApiKeyRecord,
  generateKey,
  hashKey,
  KEY_SCOPES,
  type KeyScope,
  keyIdOf,
} from './keys.js';

/** Builds the stored record of a key; the key itself is not kept. */
export function keyRecord(
  key: string,
  name: string,
  scopes: KeyScope[],
  nowMs: number,
): ApiKeyRecord {
  return {
    id: keyIdOf(key),
    name,
    scopes,
    hash: hashKey(key),
    created_at: new Date(nowMs).toISOString(),
    revoked_at: null,
  };
}

async function hasActiveAdminKey(config: ConfigStore): Promise<boolean> {
  let cursor: string | undefined;
  do {
    const page = await config.list<ApiKeyRecord>(API_KEY_KIND, {
      limit: 100,
      cursor,
    });
    const found = page.items.some(
      (item) =>
        item.value.revoked_at === null && item.value.scopes.includes('admin'),
    );
    if (found) return true;
    cursor = page.next_cursor;
  } while (cursor);
  return false;
}

/**
 * Makes sure an admin key exists. With `configuredKey` (the local
 * OBSERVATORY_ADMIN_KEY) its hash is stored; otherwise, when no active
 * admin key exists, a new one is generated, its hash stored, and the key
 * returned so the caller can show it once.
 */
export async function ensureAdminKey(
  config: ConfigStore,
  nowMs: number,
  configuredKey?: string,
): Promise<string | undefined> {
  if (configuredKey) {
    const record = keyRecord(
      configuredKey,
      'OBSERVATORY_ADMIN_KEY',
      [...KEY_SCOPES],
      nowMs,
    );
    const existing = await config.get<ApiKeyRecord>(API_KEY_KIND, record.id);
    if (!existing) await config.put(API_KEY_KIND, record.id, record);
    return undefined;
  }

  if (await hasActiveAdminKey(config)) return undefined;
  const key = generateKey();
  const record = keyRecord(key, 'first admin key', [...KEY_SCOPES], nowMs);
  await config.put(API_KEY_KIND, record.id, record);
  return key;
}
