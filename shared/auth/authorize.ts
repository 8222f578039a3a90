import { ROUTES, type RouteKey, routeKey, type Scope } from '../routes.js';
import { allows, type KeyScope, presentedKey } from './keys.js';
import type { KeyVerifier } from './verifier.js';

/**
 * The outcome for one request: `unauthorized` (no valid key: 401) and
 * `forbidden` (a valid key without the route's scope: 403) say nothing
 * about whether a presented key exists.
 */
export type Decision =
  | { effect: 'allow'; keyId: string | null; scopes: KeyScope[] }
  | { effect: 'unauthorized' }
  | { effect: 'forbidden' };

const scopes = new Map<string, Scope>(
  ROUTES.map((route) => [routeKey(route), route.scope]),
);

/** The scope the route table demands for a route key; unknown is admin. */
export function scopeOf(key: RouteKey | string): Scope {
  return scopes.get(key) ?? 'admin';
}

/** Decides whether the key in `headers` may call the route `key`. */
export async function authorize(
  verifier: KeyVerifier,
  key: RouteKey | string,
  headers: Record<string, string | undefined>,
): Promise<Decision> {
  const required = scopeOf(key);
  if (required === 'none') return { effect: 'allow', keyId: null, scopes: [] };

  const presented = presentedKey(headers);
  if (!presented) return { effect: 'unauthorized' };

  const record = await verifier.verify(presented);
  if (!record) return { effect: 'unauthorized' };
  if (!allows(record.scopes, required)) return { effect: 'forbidden' };
  return { effect: 'allow', keyId: record.id, scopes: record.scopes };
}
