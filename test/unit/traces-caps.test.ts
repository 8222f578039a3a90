import { describe, expect, it } from 'vitest';
import type { Attributes } from '#shared/model/attributes.js';
import {
  capSpan,
  MAX_ATTRIBUTE_VALUE_BYTES,
  MAX_ATTRIBUTES,
  MAX_EVENTS,
  MAX_LINKS,
  TRUNCATION_MARK,
  truncateUtf8,
} from '#shared/traces/caps.js';
import { makeSpan } from '#test/support/spans.js';

function manyAttributes(count: number): Attributes {
  const out: Attributes = {};
  for (let i = 0; i < count; i += 1) out[`k${i}`] = { intValue: String(i) };
  return out;
}

describe('truncateUtf8', () => {
  it('keeps text within the cap', () => {
    expect(truncateUtf8('héllo', 6)).toBe('héllo');
  });

  it('cuts on a character boundary and marks the cut', () => {
    // 'é' is 2 bytes and '€' 3; the mark takes 3 of the 8 bytes.
    const cut = truncateUtf8('aé€€€', 8);

    expect(cut).toBe(`aé${TRUNCATION_MARK}`);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(8);
  });

  it('never splits a surrogate pair', () => {
    const cut = truncateUtf8('😀😀😀', 9);

    expect(cut).toBe(`😀${TRUNCATION_MARK}`);
  });
});

describe('capSpan', () => {
  it('leaves a span within every cap unchanged', () => {
    const span = makeSpan({ attributes: manyAttributes(3) });

    expect(capSpan(span)).toEqual(span);
  });

  it('drops attributes over the cap and counts them', () => {
    const span = makeSpan({
      attributes: manyAttributes(MAX_ATTRIBUTES + 5),
      dropped_attributes_count: 2,
    });

    const capped = capSpan(span);

    expect(Object.keys(capped.attributes)).toHaveLength(MAX_ATTRIBUTES);
    expect(capped.dropped_attributes_count).toBe(7);
  });

  it('shortens long strings at any depth', () => {
    const long = 'x'.repeat(MAX_ATTRIBUTE_VALUE_BYTES + 1);
    const span = makeSpan({
      attributes: {
        top: { stringValue: long },
        list: { arrayValue: { values: [{ stringValue: long }] } },
      },
      resource: { 'service.name': { stringValue: long } },
    });

    const capped = capSpan(span);
    const expected = {
      stringValue: `${'x'.repeat(MAX_ATTRIBUTE_VALUE_BYTES - 3)}…`,
    };

    expect(capped.attributes.top).toEqual(expected);
    expect(capped.attributes.list).toEqual({
      arrayValue: { values: [expected] },
    });
    expect(capped.resource['service.name']).toEqual(expected);
  });

  it('keeps every resource key', () => {
    const span = makeSpan({ resource: manyAttributes(MAX_ATTRIBUTES + 1) });

    expect(Object.keys(capSpan(span).resource)).toHaveLength(
      MAX_ATTRIBUTES + 1,
    );
  });

  it('drops events and links over the cap and counts them', () => {
    const event = {
      time_unix_nano: 1n,
      name: 'e',
      attributes: {},
      dropped_attributes_count: 0,
    };
    const link = {
      trace_id: 'b'.repeat(32),
      span_id: 'c'.repeat(16),
      trace_state: '',
      attributes: manyAttributes(MAX_ATTRIBUTES + 1),
      dropped_attributes_count: 0,
    };
    const span = makeSpan({
      events: Array.from({ length: MAX_EVENTS + 2 }, () => event),
      links: Array.from({ length: MAX_LINKS + 3 }, () => link),
    });

    const capped = capSpan(span);

    expect(capped.events).toHaveLength(MAX_EVENTS);
    expect(capped.dropped_events_count).toBe(2);
    expect(capped.links).toHaveLength(MAX_LINKS);
    expect(capped.dropped_links_count).toBe(3);
    expect(capped.links[0]?.dropped_attributes_count).toBe(1);
  });
});
