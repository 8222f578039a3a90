import { StoreError } from '#shared/errors.js';
import type { Rejection } from '#shared/model/report.js';
import type { WriteResult } from '../../ports.js';
import {
  describeError,
  failureOf,
  type OpenSearchResponse,
  type OpenSearchTransport,
} from './client.js';

/**
 * Largest `_bulk` body sent, in bytes: 10 MiB. Amazon OpenSearch Service
 * limits a request body by instance type, to as little as 10 MiB, so a
 * body this size fits every domain. A body that a cluster still rejects
 * with 413 is split in two and sent again.
 */
export const MAX_BULK_BYTES = 10 * 1024 * 1024;

/** Size and retry settings of `_bulk` calls. */
export interface BulkOptions {
  /** Largest body per request, in bytes. */
  maxBodyBytes: number;
  /** Calls made for one request before a 429 counts as a failure. */
  maxAttempts: number;
  /** First delay after a 429, in milliseconds; it doubles each time. */
  baseDelayMs: number;
  /** Maximum delay between attempts, in milliseconds. */
  maxDelayMs: number;
  sleep(ms: number): Promise<void>;
}

export const DEFAULT_BULK_OPTIONS: BulkOptions = {
  maxBodyBytes: MAX_BULK_BYTES,
  maxAttempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** One `create` operation: the action and document lines of a record. */
export interface BulkEntry {
  /** Position of the record in the caller's batch. */
  index: number;
  ndjson: string;
  bytes: number;
}

/** Builds the `create` operation that stores `document` under `id`. */
export function createEntry(
  index: number,
  indexName: string,
  id: string,
  document: unknown,
): BulkEntry {
  const action = JSON.stringify({ create: { _index: indexName, _id: id } });
  const ndjson = `${action}\n${JSON.stringify(document)}\n`;
  return { index, ndjson, bytes: Buffer.byteLength(ndjson, 'utf8') };
}

/** Cuts entries into runs whose bodies stay within `maxBytes`. */
export function chunkEntries(
  entries: BulkEntry[],
  maxBytes: number,
): BulkEntry[][] {
  const chunks: BulkEntry[][] = [];
  let current: BulkEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    if (current.length > 0 && bytes + entry.bytes > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += entry.bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Delay before attempt `attempt + 1`: exponential, capped, with jitter
 * between half and all of it, so concurrent writers spread out.
 */
export function backoffMs(attempt: number, options: BulkOptions): number {
  const full = Math.min(
    options.maxDelayMs,
    options.baseDelayMs * 2 ** (attempt - 1),
  );
  return full / 2 + (Math.random() * full) / 2;
}

interface BulkItem {
  status?: number;
  error?: unknown;
}

/** Tally of one write, filled in as chunks come back. */
class Outcome {
  written = 0;
  duplicates = 0;
  readonly rejected: Rejection[] = [];

  reject(entries: BulkEntry[], reason: string): void {
    for (const entry of entries) {
      this.rejected.push({ index: entry.index, reason });
    }
  }

  result(): WriteResult {
    this.rejected.sort((a, b) => a.index - b.index);
    return {
      written: this.written,
      duplicates: this.duplicates,
      rejected: this.rejected,
    };
  }
}

function errorType(error: unknown): string | undefined {
  return (error as { type?: string } | undefined)?.type;
}

/**
 * Reads each item of a `_bulk` response. A 409 version conflict on
 * `create` means the id is stored already, a duplicate. A 429 goes back
 * for another attempt; any other error rejects that record with its
 * reason. Returns the entries to send again.
 */
function readItems(
  entries: BulkEntry[],
  response: OpenSearchResponse,
  outcome: Outcome,
): BulkEntry[] {
  const body = response.body as { items?: Record<string, BulkItem>[] };
  const items = body?.items ?? [];
  if (items.length !== entries.length) {
    throw new StoreError(
      `OpenSearch returned ${items.length} results for a _bulk request ` +
        `of ${entries.length} records; expected one result per record`,
    );
  }

  const retry: BulkEntry[] = [];
  for (const [position, entry] of entries.entries()) {
    const item = Object.values(items[position] ?? {})[0] ?? {};
    const status = item.status ?? 0;
    if (!item.error && status >= 200 && status < 300) outcome.written += 1;
    else if (status === 409 && isConflict(item.error)) outcome.duplicates += 1;
    else if (status === 429) retry.push(entry);
    else {
      const cause = describeError(item.error);
      outcome.reject(
        [entry],
        `OpenSearch rejected the record with HTTP ${status}, ${cause}`,
      );
    }
  }
  return retry;
}

function isConflict(error: unknown): boolean {
  return errorType(error) === 'version_conflict_engine_exception';
}

function overloadReason(attempts: number): string {
  return (
    `OpenSearch answered HTTP 429 (too many requests) ${attempts} times; ` +
    'the record was not stored, send it again later'
  );
}

/**
 * Sends one run of entries, retrying a 429 on the whole request or on
 * single items with backoff. A 413 splits the run in two; a lone record
 * that is still too large is rejected.
 */
async function sendChunk(
  transport: OpenSearchTransport,
  chunk: BulkEntry[],
  options: BulkOptions,
  outcome: Outcome,
): Promise<void> {
  let pending = chunk;
  for (let attempt = 1; pending.length > 0; attempt += 1) {
    if (attempt > 1) await options.sleep(backoffMs(attempt - 1, options));
    const response = await transport.send({
      method: 'POST',
      path: '/_bulk',
      ndjson: pending.map((entry) => entry.ndjson).join(''),
    });

    if (response.statusCode === 413) {
      await splitTooLarge(transport, pending, options, outcome);
      return;
    }
    if (response.statusCode === 429) {
      if (attempt >= options.maxAttempts) {
        outcome.reject(pending, overloadReason(attempt));
        return;
      }
      continue;
    }
    if (response.statusCode !== 200) {
      throw failureOf('_bulk request', response);
    }

    pending = readItems(pending, response, outcome);
    if (pending.length > 0 && attempt >= options.maxAttempts) {
      outcome.reject(pending, overloadReason(attempt));
      return;
    }
  }
}

async function splitTooLarge(
  transport: OpenSearchTransport,
  entries: BulkEntry[],
  options: BulkOptions,
  outcome: Outcome,
): Promise<void> {
  const [only] = entries;
  if (entries.length === 1 && only) {
    outcome.reject(
      [only],
      `the record is ${only.bytes} bytes in a _bulk body and OpenSearch ` +
        'answered HTTP 413 (content too large); shorten its message or ' +
        'attributes',
    );
    return;
  }
  const half = Math.ceil(entries.length / 2);
  await sendChunk(transport, entries.slice(0, half), options, outcome);
  await sendChunk(transport, entries.slice(half), options, outcome);
}

/**
 * Writes entries with `_bulk`, in bodies of at most `maxBodyBytes`, one
 * request at a time. Every record ends as written, duplicate or rejected
 * by its index with the reason. Raises StoreError when the cluster
 * responds with a status other than 200, 413 or 429, or with items that
 * do not match the operations sent.
 */
export async function writeBulk(
  transport: OpenSearchTransport,
  entries: BulkEntry[],
  options: BulkOptions = DEFAULT_BULK_OPTIONS,
): Promise<WriteResult> {
  const outcome = new Outcome();
  const fitting: BulkEntry[] = [];
  for (const entry of entries) {
    if (entry.bytes <= options.maxBodyBytes) fitting.push(entry);
    else {
      outcome.reject(
        [entry],
        `the record is ${entry.bytes} bytes in a _bulk body, above the ` +
          `limit of ${options.maxBodyBytes}; shorten its message or ` +
          'attributes',
      );
    }
  }

  for (const chunk of chunkEntries(fitting, options.maxBodyBytes)) {
    await sendChunk(transport, chunk, options, outcome);
  }
  return outcome.result();
}
