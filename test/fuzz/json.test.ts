import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  jsonDepth,
  parseJsonExact,
  toJson,
  wellFormedJson,
} from '#shared/http/json.js';
import { MAX_JSON_DEPTH } from '#shared/limits.js';
import { hostileJson } from './arbitraries.js';
import { runs } from './support.js';

/** Nesting of arrays and objects, counted by walking the value. */
function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const children = Object.values(value).map(depthOf);
  return 1 + Math.max(0, ...children);
}

const LONE_SURROGATE =
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Tells whether any string or key in a value holds a lone surrogate. */
function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return LONE_SURROGATE.test(value);
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(
    ([key, item]) => LONE_SURROGATE.test(key) || hasLoneSurrogate(item),
  );
}

describe('JSON helpers', () => {
  it('measures the depth JSON.parse builds', () => {
    fc.assert(
      fc.property(hostileJson, (value) => {
        const text = JSON.stringify(value);
        const expected = depthOf(JSON.parse(text));

        expect(jsonDepth(text, Number.POSITIVE_INFINITY)).toBe(expected);
      }),
      runs(200),
    );
  });

  it('keeps 64-bit integers exact at any allowed depth', () => {
    const depth = fc.integer({ min: 0, max: MAX_JSON_DEPTH + 50 });
    fc.assert(
      fc.property(depth, fc.bigInt(2n ** 53n + 1n, 2n ** 63n), (n, big) => {
        const text = `${'['.repeat(n)}${big}${']'.repeat(n)}`;
        if (n > MAX_JSON_DEPTH) {
          expect(() => parseJsonExact(text)).toThrow(SyntaxError);
          return;
        }
        let value = parseJsonExact(text);
        for (let i = 0; i < n; i += 1) value = (value as unknown[])[0];

        expect(value).toBe(big);
      }),
      runs(100),
    );
  });

  it('serializes text that parses back unchanged', () => {
    const text = fc.string({ unit: 'grapheme' });
    fc.assert(
      fc.property(fc.dictionary(text, text), (value) => {
        const json = toJson(value);

        expect(JSON.parse(json)).toEqual(value);
        expect(json).not.toMatch(/[<>&\u2028\u2029]/);
      }),
      runs(200),
    );
  });

  it('leaves no lone surrogate in parsed JSON', () => {
    fc.assert(
      fc.property(hostileJson, (value) => {
        const text = JSON.stringify(value);
        const parsed = JSON.parse(text);
        const fixed = wellFormedJson(JSON.parse(text), text);

        expect(hasLoneSurrogate(fixed)).toBe(false);
        if (!hasLoneSurrogate(parsed)) expect(fixed).toEqual(parsed);
      }),
      runs(200),
    );
  });
});
