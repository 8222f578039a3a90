import type { ConfigStore, TopologyStore } from '../store/ports.js';
import type { ObservedService } from '../topology/model.js';
import { SERVICE_KIND, type ServiceRecord } from './schema.js';

/** Registrations or observed services fetched per store call. */
const FETCH_SIZE = 100;

/**
 * Orders service names by their UTF-8 bytes, as DuckDB and DynamoDB sort
 * strings; JavaScript's `<` compares UTF-16 units, which differs for
 * characters outside the Basic Multilingual Plane.
 */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * The resume point of a registration reader: a config store cursor,
 * undefined for the first page, or null when no registrations remain.
 */
export type PagePosition = string | null | undefined;

/**
 * Reads registrations in name order from the config store, one page at a
 * time, skipping names up to `after`. The config store's cursor is
 * opaque, so the reader keeps the cursor of the page it is reading. A
 * caller can then resume from that page and skip what it already returned.
 */
export class RegistrationReader {
  private buffer: ServiceRecord[] = [];
  private pageCursor: PagePosition;
  private nextCursor: PagePosition;

  constructor(
    private readonly config: ConfigStore,
    start: PagePosition,
    private readonly after?: string,
  ) {
    this.nextCursor = start;
  }

  /** Returns the next registration without consuming it. */
  async peek(): Promise<ServiceRecord | undefined> {
    while (this.buffer.length === 0 && this.nextCursor !== null) {
      await this.fetch();
    }
    return this.buffer[0];
  }

  take(): void {
    this.buffer.shift();
  }

  /** Returns the position of the page with the next unread registration. */
  position(): PagePosition {
    return this.buffer.length > 0 ? this.pageCursor : this.nextCursor;
  }

  private async fetch(): Promise<void> {
    const cursor = this.nextCursor ?? undefined;
    const page = await this.config.list<ServiceRecord>(SERVICE_KIND, {
      limit: FETCH_SIZE,
      cursor,
    });
    this.pageCursor = this.nextCursor;
    this.nextCursor = page.next_cursor ?? null;
    const after = this.after;
    this.buffer = page.items
      .map((item) => item.value)
      .filter(
        (record) => after === undefined || compareNames(record.name, after) > 0,
      );
  }
}

/** Reads services seen in spans in name order, after `after`. */
export class ObservedReader {
  private buffer: ObservedService[] = [];
  private exhausted = false;

  constructor(
    private readonly topology: TopologyStore,
    private after?: string,
  ) {}

  async peek(): Promise<ObservedService | undefined> {
    if (this.buffer.length === 0 && !this.exhausted) {
      this.buffer = await this.topology.listServices({
        after: this.after,
        limit: FETCH_SIZE,
      });
      this.exhausted = this.buffer.length < FETCH_SIZE;
    }
    return this.buffer[0];
  }

  take(): void {
    const taken = this.buffer.shift();
    if (taken) this.after = taken.service;
  }
}
