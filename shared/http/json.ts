import { randomUUID } from 'node:crypto';
import { ValidationError } from '../errors.js';
import { MAX_JSON_DEPTH } from '../limits.js';

const BIGINT_MARK = '\u0000bigint:';

/**
 * Characters escaped in every response although JSON allows them raw: a
 * client that renders a response as HTML, or embeds it in a script,
 * then reads `<script>` in a log message as text. Outside strings, JSON
 * never contains them, so replacing them everywhere is safe.
 */
const HTML_SENSITIVE = /[<>&\u2028\u2029]/g;

function escapeHtmlSensitive(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * Serializes `value` to JSON, writing bigint values as exact JSON numbers
 * (JSON.stringify throws on them, and a 64-bit integer above 2^53 must not
 * be rounded through a double). `<`, `>`, `&`, U+2028 and U+2029 are
 * written as \u escapes, which parse back to the same text.
 */
export function toJson(value: unknown): string {
  const text = JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'bigint' ? `${BIGINT_MARK}${item.toString()}` : item,
  );
  return text
    .replace(/"\\u0000bigint:(-?\d+)"/g, '$1')
    .replace(HTML_SENSITIVE, escapeHtmlSensitive);
}

/** An integer literal at a position, possibly followed by a fraction. */
const NUMBER = /-?\d+(\.\d+)?([eE][+-]?\d+)?/y;

/** Finds the end of the string literal that opens at `start`. */
function endOfString(text: string, start: number): number {
  let index = start + 1;
  while (index < text.length && text[index] !== '"') {
    index += text[index] === '\\' ? 2 : 1;
  }
  return index + 1;
}

/**
 * Rewrites integer literals beyond 2^53 as marked strings, so JSON.parse
 * cannot round them. Returns the text unchanged when there are none.
 */
function markLargeIntegers(text: string, marker: string): string {
  const parts: string[] = [];
  let copied = 0;
  let index = 0;
  while (index < text.length) {
    const char = text[index] ?? '';
    if (char === '"') {
      index = endOfString(text, index);
      continue;
    }
    if (char !== '-' && (char < '0' || char > '9')) {
      index += 1;
      continue;
    }
    NUMBER.lastIndex = index;
    const token = NUMBER.exec(text)?.[0] ?? char;
    const integer = !/[.eE]/.test(token);
    if (integer && !Number.isSafeInteger(Number(token))) {
      parts.push(text.slice(copied, index), `"${marker}${token}"`);
      copied = index + token.length;
    }
    index += token.length;
  }
  if (copied === 0) return text;
  parts.push(text.slice(copied));
  return parts.join('');
}

/**
 * Parses JSON like JSON.parse, except that integers that a double cannot
 * represent exactly (beyond 2^53) come back as bigint instead of being
 * rounded. Other numbers are JavaScript numbers as usual. Raises
 * JSON.parse's SyntaxError for invalid text, and a SyntaxError for text
 * nested deeper than MAX_JSON_DEPTH.
 */
export function parseJsonExact(text: string): unknown {
  // The reviver below recurses once per level, and a stack overflow in it
  // must not fall back to the rounding parse.
  if (jsonDepth(text) > MAX_JSON_DEPTH) {
    throw new SyntaxError(
      `JSON nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`,
    );
  }
  // A random marker, so no string in the request can pass for one.
  const marker = `int64:${randomUUID()}:`;
  const marked = markLargeIntegers(text, marker);
  if (marked === text) return JSON.parse(text);
  try {
    return JSON.parse(marked, (_key, value: unknown) =>
      typeof value === 'string' && value.startsWith(marker)
        ? BigInt(value.slice(marker.length))
        : value,
    );
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    // Report the error against the text as sent, not the rewritten one.
    return JSON.parse(text);
  }
}

const QUOTE = 0x22;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * Returns the deepest nesting of arrays and objects in JSON text, or
 * `limit + 1` as soon as it passes `limit`. Brackets inside strings do
 * not count. A loop rather than recursion, so no input overflows the
 * stack; invalid JSON is left to the parser.
 */
export function jsonDepth(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let index = 0;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) {
      index = endOfString(text, index);
      continue;
    }
    if (code === OPEN_ARRAY || code === OPEN_OBJECT) {
      depth += 1;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (code === CLOSE_ARRAY || code === CLOSE_OBJECT) {
      depth -= 1;
    }
    index += 1;
  }
  return deepest;
}

/**
 * Raises a 400 naming the limit when JSON text nests arrays and objects
 * deeper than {@link MAX_JSON_DEPTH}. Run it before parsing: the parser
 * copes, but the recursive validation after it would overflow the stack.
 */
export function checkJsonDepth(text: string): void {
  if (jsonDepth(text) <= MAX_JSON_DEPTH) return;
  const message =
    'nests arrays and objects deeper than the limit of ' +
    `${MAX_JSON_DEPTH} levels; flatten the document`;
  throw new ValidationError(`request body ${message}`, [
    { path: 'body', message },
  ]);
}

/** A JSON escape of a UTF-16 surrogate, such as `\ud800`. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F][0-9a-fA-F]{2}/;

/** A surrogate that is not half of a pair. */
const LONE_SURROGATE =
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Replaces each lone UTF-16 surrogate in `text` with U+FFFD. */
export function wellFormedText(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

function wellFormedValue(value: unknown): unknown {
  if (typeof value === 'string') return wellFormedText(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(wellFormedValue);

  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    // defineProperty, so a key named __proto__ stays a plain key.
    Object.defineProperty(out, wellFormedText(key), {
      value: wellFormedValue(item),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/**
 * Replaces lone UTF-16 surrogates in the strings and keys of parsed JSON
 * with U+FFFD. JSON text can spell one as an escape such as `\ud800`,
 * but it is not Unicode, so stores reject the whole batch that holds it.
 * `text` is the source: without a surrogate escape in it, `value` is
 * returned as it is.
 */
export function wellFormedJson(value: unknown, text: string): unknown {
  return SURROGATE_ESCAPE.test(text) ? wellFormedValue(value) : value;
}
