import type { Clock } from '../clock.js';
import { NotFoundError } from '../errors.js';
import { isoFromMs } from '../model/time.js';
import type { ConfigStore, Stores } from '../store/ports.js';
import type { ObservedService } from '../topology/model.js';
import {
  type Registration,
  SERVICE_KIND,
  type ServiceRecord,
} from './schema.js';

/** Page size when reading every registration. */
const READ_ALL_PAGE = 200;

/**
 * Stores a registration, replacing an earlier one of the same name but
 * keeping its `registered_at`. Returns the record and whether it is new.
 */
export async function registerService(
  config: ConfigStore,
  clock: Clock,
  registration: Registration,
): Promise<{ record: ServiceRecord; created: boolean }> {
  const existing = await config.get<ServiceRecord>(
    SERVICE_KIND,
    registration.name,
  );
  const now = isoFromMs(clock.now());
  const record: ServiceRecord = {
    ...registration,
    dependencies: [...new Set(registration.dependencies)],
    registered_at: existing?.value.registered_at ?? now,
    updated_at: now,
  };
  await config.put(SERVICE_KIND, record.name, record);
  return { record, created: existing === undefined };
}

/** Reads every registration, keyed by service name. */
export async function allRegistrations(
  config: ConfigStore,
): Promise<Map<string, ServiceRecord>> {
  const records = new Map<string, ServiceRecord>();
  let cursor: string | undefined;
  do {
    const page = await config.list<ServiceRecord>(SERVICE_KIND, {
      limit: READ_ALL_PAGE,
      cursor,
    });
    for (const item of page.items) records.set(item.id, item.value);
    cursor = page.next_cursor;
  } while (cursor);
  return records;
}

/** A service found in the registry, in spans, or in both. */
export interface KnownService {
  name: string;
  record?: ServiceRecord;
  observed?: ObservedService;
}

/** Looks a service up in both sources, raising a 404 when neither has it. */
export async function findService(
  stores: Stores,
  name: string,
): Promise<KnownService> {
  const [item, observed] = await Promise.all([
    stores.config.get<ServiceRecord>(SERVICE_KIND, name),
    stores.topology.getService(name),
  ]);
  if (!item && !observed) {
    throw new NotFoundError(
      `service ${JSON.stringify(name)} not found: it is neither registered ` +
        'nor seen in spans; register it with POST ' +
        '/api/observatory/services/register or send its spans',
    );
  }
  return { name, record: item?.value, observed };
}
