import { z } from 'zod';
import type { Clock } from '../clock.js';

const ISO_8601 =
  /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * A point in time as our API accepts it: an ISO 8601 string or epoch
 * milliseconds (a number or a string of digits). Parses to epoch ms.
 */
export const timestampSchema = z
  .union([z.number(), z.string()])
  .transform((value, ctx) => {
    const ms = parseTimestamp(value);
    if (ms === undefined) {
      ctx.addIssue({
        code: 'custom',
        message:
          `invalid timestamp ${JSON.stringify(value)}: expected ISO 8601 ` +
          '(2026-01-31T12:00:00Z) or epoch milliseconds',
      });
      return z.NEVER;
    }
    return ms;
  });

/**
 * Latest time a JavaScript Date can hold, in epoch ms. A later timestamp
 * could not be formatted back to ISO 8601, so it is rejected as invalid.
 */
const MAX_DATE_MS = 8.64e15;

export function parseTimestamp(value: number | string): number | undefined {
  const ms = parseEpochOrIso(value);
  return ms !== undefined && ms <= MAX_DATE_MS ? ms : undefined;
}

function parseEpochOrIso(value: number | string): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 ? Math.trunc(value) : undefined;
  }
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  if (!ISO_8601.test(text)) return undefined;

  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Formats epoch ms as ISO 8601 with milliseconds in UTC. */
export function isoFromMs(ms: number): string {
  return new Date(ms).toISOString();
}

/** The ingest window: how far in the past and future a timestamp may lie. */
export interface IngestWindow {
  clock: Clock;
  maxAgeMs: number;
  maxFutureMs: number;
}

/**
 * Checks that `ms` lies within the ingest window. Returns the reason it
 * does not, or undefined when it does.
 */
export function outsideWindow(
  ms: number,
  window: IngestWindow,
): string | undefined {
  const now = window.clock.now();
  if (ms < now - window.maxAgeMs) {
    return (
      `timestamp ${isoFromMs(ms)} is older than the accepted window of ` +
      `${window.maxAgeMs / 3_600_000} hours; send recent data`
    );
  }
  if (ms > now + window.maxFutureMs) {
    return (
      `timestamp ${isoFromMs(ms)} is more than ` +
      `${window.maxFutureMs / 60_000} minutes in the future; check the ` +
      'client clock'
    );
  }
  return undefined;
}
