import { describe, expect, it } from 'vitest';
import { toJson } from '#shared/http/json.js';
import { decodeLogCursor } from '#shared/logs/cursor.js';
import { countFitting, logListBody } from '#shared/logs/page.js';
import { apiLogOf } from '#shared/logs/view.js';
import { logRecord } from '#test/contract/log-store.contract.js';

/** Five records of the same JSON size, newest first, as a store returns. */
const records = [5, 4, 3, 2, 1].map((at) =>
  logRecord({ at, message: `line ${at}` }),
);
/** JSON bytes of one log plus its separating comma. */
const recordBytes =
  Buffer.byteLength(toJson(apiLogOf(records[0] ?? logRecord()))) + 1;

describe('countFitting', () => {
  it.each<[string, number, number]>([
    ['all logs when the budget is large', 10 * recordBytes, 5],
    ['as many logs as the budget holds', 2 * recordBytes + 1, 2],
    ['exactly the budget', 3 * recordBytes, 3],
    ['the first log above the budget', 1, 1],
  ])('counts %s', (_name, maxBytes, expected) => {
    expect(countFitting(records.map(apiLogOf), maxBytes)).toBe(expected);
  });

  it('counts nothing in an empty list', () => {
    expect(countFitting([], 1)).toBe(0);
  });
});

describe('logListBody', () => {
  it('ends the page early with a cursor at its last log', () => {
    const body = logListBody({ items: records }, 2 * recordBytes + 1);

    expect(body.logs.map((log) => log.message)).toEqual(['line 5', 'line 4']);
    expect(decodeLogCursor(body.next_cursor ?? '')).toEqual({
      time_unix_nano: records[1]?.time_unix_nano,
      log_id: records[1]?.log_id,
    });
  });

  it('keeps the store cursor when every log fits', () => {
    const body = logListBody({ items: records, next_cursor: 'from-store' });

    expect(body.logs).toHaveLength(5);
    expect(body.next_cursor).toBe('from-store');
  });

  it('omits next_cursor on a last page that fits', () => {
    expect(logListBody({ items: records })).toEqual({
      logs: records.map(apiLogOf),
    });
  });
});
