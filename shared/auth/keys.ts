import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { MAX_API_KEY_LENGTH } from '../limits.js';
import type { Scope } from '../routes.js';

/** Scopes a key can carry; `none` is only for open routes. */
export const KEY_SCOPES = ['ingest', 'read', 'admin'] as const;
export type KeyScope = (typeof KEY_SCOPES)[number];

/** The config store kind under which key records live. */
export const API_KEY_KIND = 'api_key';

/**
 * A stored API key. The key itself is never stored: only its SHA-256 hash,
 * and an id (the hash's first 16 hex digits) that lists and revocations
 * refer to.
 */
export interface ApiKeyRecord {
  id: string;
  name: string;
  scopes: KeyScope[];
  hash: string;
  created_at: string;
  revoked_at: string | null;
}

const KEY_PREFIX = 'obs_';

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function keyIdOf(key: string): string {
  return hashKey(key).slice(0, 16);
}

/** Generates a new random key: `obs_` and 32 random bytes in base64url. */
export function generateKey(): string {
  return `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** Compares a presented key with a stored hash in constant time. */
export function keyMatches(key: string, record: ApiKeyRecord): boolean {
  const presented = Buffer.from(hashKey(key), 'hex');
  const stored = Buffer.from(record.hash, 'hex');
  return (
    presented.length === stored.length && timingSafeEqual(presented, stored)
  );
}

/** Whether a key with `scopes` may call a route that needs `required`. */
export function allows(scopes: readonly KeyScope[], required: Scope): boolean {
  if (required === 'none') return true;
  return scopes.includes(required);
}

/**
 * Reads the key from `x-api-key` or `Authorization: Bearer <key>`; header
 * names must already be lower case. A value longer than any key counts as
 * no key.
 */
export function presentedKey(
  headers: Record<string, string | undefined>,
): string | undefined {
  const direct = headers['x-api-key']?.trim();
  const authorization = headers.authorization?.trim() ?? '';
  const key = direct || /^bearer\s+(\S+)$/i.exec(authorization)?.[1];
  return key && key.length <= MAX_API_KEY_LENGTH ? key : undefined;
}
