import type { Clock } from '../clock.js';
import { isoFromMs } from '../model/time.js';
import type { ConfigStore } from '../store/ports.js';
import type { HealthStatus } from './schema.js';

/** Config store kind of a service's health, keyed by service name. */
export const HEALTH_KIND = 'service_health';

/** Most health changes kept per service; older ones are dropped. */
export const MAX_HEALTH_HISTORY = 100;

/** One reported health state. */
export interface HealthEntry {
  status: HealthStatus;
  reason: string;
  /** When it was reported, ISO 8601. */
  updated_at: string;
}

/** A service's reported health states, newest first; the first is current. */
export interface HealthDocument {
  history: HealthEntry[];
}

/** The health of a service without any health report. */
export const UNKNOWN_HEALTH: HealthEntry = {
  status: 'unknown',
  reason: '',
  updated_at: '',
};

/** Reads a service's health history, newest first; empty when none. */
export async function readHealth(
  config: ConfigStore,
  service: string,
): Promise<HealthEntry[]> {
  const item = await config.get<HealthDocument>(HEALTH_KIND, service);
  return item?.value.history ?? [];
}

/**
 * Records a health report as the service's current state and keeps the
 * last {@link MAX_HEALTH_HISTORY} reports.
 *
 * NOTE: this reads, then writes the whole document, so of two reports on
 * the same service at the same moment one may be missing from the history.
 */
export async function reportHealth(
  config: ConfigStore,
  clock: Clock,
  service: string,
  report: { status: HealthStatus; reason: string },
): Promise<HealthEntry[]> {
  const entry: HealthEntry = {
    status: report.status,
    reason: report.reason,
    updated_at: isoFromMs(clock.now()),
  };
  const earlier = await readHealth(config, service);
  const history = [entry, ...earlier].slice(0, MAX_HEALTH_HISTORY);
  await config.put<HealthDocument>(HEALTH_KIND, service, { history });
  return history;
}
