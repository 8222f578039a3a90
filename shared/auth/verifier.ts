import type { Clock } from '../clock.js';
import { MAX_CACHED_KEYS } from '../limits.js';
import type { ConfigStore } from '../store/ports.js';
import {
  API_KEY_KIND,
  type ApiKeyRecord,
  keyIdOf,
  keyMatches,
} from './keys.js';

interface CacheEntry {
  record: ApiKeyRecord | undefined;
  expiresMs: number;
}

/** How long a key lookup is reused; a revocation takes effect within it. */
export const KEY_CACHE_TTL_MS = 60_000;

/**
 * Looks up presented keys in the config store, caching each answer (found
 * or not) for {@link KEY_CACHE_TTL_MS}, so revocation takes effect within
 * that time on every warm Lambda container. At most MAX_CACHED_KEYS
 * lookups are kept, and the oldest goes first.
 */
export class KeyVerifier {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly config: ConfigStore,
    private readonly clock: Clock,
    private readonly ttlMs = KEY_CACHE_TTL_MS,
  ) {}

  /** Returns the active record of `key`, or undefined if unknown or revoked. */
  async verify(key: string): Promise<ApiKeyRecord | undefined> {
    const id = keyIdOf(key);
    const record = await this.lookup(id);
    if (!record || record.revoked_at !== null) return undefined;
    return keyMatches(key, record) ? record : undefined;
  }

  /** Drops a cached entry, so this process applies a revocation at once. */
  forget(id: string): void {
    this.cache.delete(id);
  }

  private async lookup(id: string): Promise<ApiKeyRecord | undefined> {
    const now = this.clock.now();
    const cached = this.cache.get(id);
    if (cached && cached.expiresMs > now) return cached.record;

    const item = await this.config.get<ApiKeyRecord>(API_KEY_KIND, id);
    this.remember(id, { record: item?.value, expiresMs: now + this.ttlMs });
    return item?.value;
  }

  /** Caches a lookup, first dropping the oldest entry when full. */
  private remember(id: string, entry: CacheEntry): void {
    this.cache.delete(id);
    if (this.cache.size >= MAX_CACHED_KEYS) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(id, entry);
  }
}
