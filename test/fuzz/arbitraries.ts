import fc from 'fast-check';
import { MAX_JSON_DEPTH } from '#shared/limits.js';

/** Strings that have broken parsers, queries and renderers before. */
const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\uD800',
  '\uDFFF',
  'a\uDBFFb',
  '\uFEFF',
  '<script>alert(1)</script>',
  "' OR '1'='1' --",
  '"; DROP TABLE spans; --',
  '\\',
  '%',
  '_',
  '*',
  '.*',
  '(a+)+$',
  'message:error',
  '../../etc/passwd',
  '..%2F..%2F',
  '\r\nx-injected: 1',
  'NaN',
  'Infinity',
  '-1',
  '1e400',
  '99999999999999999999',
  '0x10',
  '𝕏𝕪',
  '2026-13-45T99:99:99Z',
  '+275760-09-13T00:00:00.001Z',
];

/** Long strings that pass every length check, or most of them. */
const LONG_STRINGS = [
  'x'.repeat(9_000),
  'é'.repeat(5_000),
  '😀'.repeat(3_000),
  'a'.repeat(300_000),
];

/** Any text, lone UTF-16 surrogates and control characters included. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string() },
  { weight: 2, arbitrary: fc.string({ unit: 'binary' }) },
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 1, arbitrary: fc.constantFrom(...LONG_STRINGS) },
);

/** Numbers at and beyond every boundary a double or an int64 has. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(
    0,
    -0,
    -1,
    1e308,
    -1e308,
    5e-324,
    2 ** 53 + 2,
    2 ** 64,
    -(2 ** 63),
    1.5,
    86_400_000 * 1e6,
  ),
);

/** Arrays nested up to `maxDepth` levels. */
function nestedArray(maxDepth: number): fc.Arbitrary<unknown> {
  return fc.nat({ max: maxDepth }).map((depth) => {
    let value: unknown = 1;
    for (let i = 0; i < depth; i += 1) value = [value];
    return value;
  });
}

/** Any JSON value of hostile strings and numbers, with deep arrays. */
function jsonWithArraysUpTo(maxDepth: number): fc.Arbitrary<unknown> {
  return fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      hostileString,
      hostileNumber,
      fc.boolean(),
      fc.constant(null),
      nestedArray(maxDepth),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(hostileString, tie('value'), { maxKeys: 4 }),
    ),
  })).value;
}

/** Any JSON value, some nested past the JSON depth limit. */
export const hostileJson = jsonWithArraysUpTo(MAX_JSON_DEPTH + 40);

/**
 * Any JSON value that stays inside the depth limit when it is an item of
 * a batch, so the batch is read and the item judged on its own.
 */
export const hostileItem = jsonWithArraysUpTo(MAX_JSON_DEPTH - 20);

/** JSON texts that JSON.stringify cannot produce, and non-JSON text. */
const RAW_TEXTS = [
  '123456789012345678901234567890',
  '-9223372036854775809',
  '1e999',
  '{"a":1e999}',
  '[1,2',
  '{"a":}',
  '\uFEFF{}',
  'null',
  '""',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
];

/** A request body as text: JSON of any shape, or something else. */
export const hostileBodyText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: hostileJson.map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.constantFrom(...RAW_TEXTS) },
  { weight: 1, arbitrary: hostileString },
);

/** Lists every node of a JSON tree as its holder and key, depth first. */
function slotsOf(root: unknown): [Record<string, unknown>, string][] {
  const slots: [Record<string, unknown>, string][] = [];
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    const holder = node as Record<string, unknown>;
    for (const key of Object.keys(holder)) {
      slots.push([holder, key]);
      stack.push(holder[key]);
    }
  }
  return slots;
}

/** One change to a valid document: a node replaced or removed. */
export interface Mutation {
  at: number;
  remove: boolean;
  value: unknown;
}

export const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  remove: fc.boolean(),
  value: hostileJson,
});

/** Applies a mutation to a copy of `document`. */
export function mutate<T>(document: T, change: Mutation): T {
  const copy = structuredClone(document);
  const slots = slotsOf(copy);
  const slot = slots[change.at % Math.max(slots.length, 1)];
  if (!slot) return copy;
  const [holder, key] = slot;
  if (change.remove) delete holder[key];
  else holder[key] = change.value;
  return copy;
}

/** A lone surrogate put into one string or key of a valid document. */
export interface SurrogateChange {
  at: number;
  inKey: boolean;
  surrogate: string;
}

export const surrogateChange: fc.Arbitrary<SurrogateChange> = fc.record({
  at: fc.nat(),
  inKey: fc.boolean(),
  surrogate: fc.constantFrom('\uD800', '\uDBFF', '\uDC00', '\uDFFF'),
});

/**
 * Appends a lone surrogate to one string value, or to one key, of a copy
 * of `document`. JSON text spells it as an escape such as `\ud800`.
 */
export function withSurrogate<T>(document: T, change: SurrogateChange): T {
  const copy = structuredClone(document);
  const slots = slotsOf(copy).filter(
    ([holder, key]) => change.inKey || typeof holder[key] === 'string',
  );
  const slot = slots[change.at % Math.max(slots.length, 1)];
  if (!slot) return copy;
  const [holder, key] = slot;
  if (!change.inKey) {
    holder[key] = `${holder[key]}${change.surrogate}`;
  } else if (!Array.isArray(holder)) {
    holder[`${key}${change.surrogate}`] = holder[key];
    delete holder[key];
  }
  return copy;
}
