import { ValidationError } from '../errors.js';
import type { Stores } from '../store/ports.js';
import { type HealthEntry, readHealth, UNKNOWN_HEALTH } from './health.js';
import {
  compareNames,
  ObservedReader,
  type PagePosition,
  RegistrationReader,
} from './readers.js';
import type { KnownService } from './registry.js';
import type { HealthStatus } from './schema.js';

/** Filters and paging of `GET /services`. */
export interface CatalogQuery {
  environment?: string;
  team?: string;
  health?: HealthStatus;
  limit: number;
  cursor?: string;
}

/** A service on the list, with its current health. */
export interface CatalogEntry extends KnownService {
  health: HealthEntry;
}

/** The end of a page: its last name and the registrations' position. */
interface CatalogCursor {
  after: string;
  page: PagePosition;
}

function encodeCursor(cursor: CatalogCursor): string {
  const json = JSON.stringify({ a: cursor.after, p: cursor.page });
  return Buffer.from(json, 'utf8').toString('base64url');
}

/** Decodes a cursor from {@link encodeCursor}, raising a 400 if foreign. */
export function decodeCatalogCursor(token: string): CatalogCursor {
  try {
    const json = Buffer.from(token, 'base64url').toString('utf8');
    const value = JSON.parse(json) as { a?: unknown; p?: unknown };
    const page = value.p;
    const pageOk =
      page === undefined || page === null || typeof page === 'string';
    if (typeof value.a === 'string' && pageOk) {
      return { after: value.a, page: page as PagePosition };
    }
  } catch {
    // Falls through to the 400 below.
  }
  const message = 'not a cursor this API issued';
  throw new ValidationError(
    `invalid query: cursor: ${message}; pass next_cursor from the previous ` +
      'page unchanged',
    [{ path: 'cursor', message }],
  );
}

function matches(
  query: CatalogQuery,
  known: KnownService,
  health: HealthEntry,
) {
  const record = known.record;
  if (query.environment !== undefined) {
    if (record?.environment !== query.environment) return false;
  }
  if (query.team !== undefined && record?.team !== query.team) return false;
  return query.health === undefined || health.status === query.health;
}

/** Takes the next service by name from either reader, merging equal names. */
async function nextService(
  registrations: RegistrationReader,
  observed: ObservedReader,
): Promise<KnownService | undefined> {
  const record = await registrations.peek();
  const seen = await observed.peek();
  if (!record && !seen) return undefined;
  const order =
    record && seen ? compareNames(record.name, seen.service) : record ? -1 : 1;
  if (order <= 0) registrations.take();
  if (order >= 0) observed.take();
  const name = order <= 0 && record ? record.name : (seen?.service ?? '');
  return {
    name,
    record: order <= 0 ? record : undefined,
    observed: order >= 0 ? seen : undefined,
  };
}

/**
 * Lists registered services and services seen in spans, merged by name
 * and sorted by it. Environment and team filters apply to registrations,
 * so an unregistered service never matches them; a service with no health
 * report counts as `unknown`.
 */
export async function listCatalog(
  stores: Stores,
  query: CatalogQuery,
): Promise<{ items: CatalogEntry[]; next_cursor?: string }> {
  const start = query.cursor ? decodeCatalogCursor(query.cursor) : undefined;
  const registrations = new RegistrationReader(
    stores.config,
    start?.page,
    start?.after,
  );
  const observed = new ObservedReader(stores.topology, start?.after);

  const items: CatalogEntry[] = [];
  let page: PagePosition;
  for (;;) {
    const known = await nextService(registrations, observed);
    if (!known) return { items };
    const history = await readHealth(stores.config, known.name);
    const health = history[0] ?? UNKNOWN_HEALTH;
    if (!matches(query, known, health)) continue;
    if (items.length === query.limit) {
      const last = items[items.length - 1]?.name ?? '';
      return { items, next_cursor: encodeCursor({ after: last, page }) };
    }
    items.push({ ...known, health });
    page = registrations.position();
  }
}
