import { MAX_JSON_DEPTH } from '../limits.js';

/** The JSON documents found in a text, and the parts that were not read. */
export interface JsonDocuments {
  /** Each document's text, in order, ready for a JSON parser. */
  documents: string[];
  /**
   * Parts of the text that are not documents: trailing text that is not
   * JSON, a document cut off before its end, or one nested too deep.
   * Empty when the whole text was read.
   */
  problems: string[];
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

function isWhitespace(code: number): boolean {
  // JSON whitespace: space, tab, line feed and carriage return.
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

function skipWhitespace(text: string, start: number): number {
  let index = start;
  while (index < text.length && isWhitespace(text.charCodeAt(index))) {
    index += 1;
  }
  return index;
}

/**
 * Returns the index after the string literal that opens at `start`, or -1
 * when the text ends inside it. A backslash escapes the next character,
 * so `\"` and `\\` never end the string early.
 */
function endOfString(text: string, start: number): number {
  let index = start + 1;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) return index + 1;
    index += code === BACKSLASH ? 2 : 1;
  }
  return -1;
}

/** The end of a document (-1 when the text ends first) and its nesting. */
interface Scan {
  end: number;
  depth: number;
}

/**
 * Finds the end of the object or array that opens at `start` by counting
 * brackets outside string literals. Brackets inside strings, such as
 * `"payload }{ with braces"`, do not count. Returns the deepest nesting
 * too, so a document past {@link MAX_JSON_DEPTH} can be skipped unparsed.
 */
function scanValue(text: string, start: number): Scan {
  let depth = 0;
  let deepest = 0;
  let index = start;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) {
      index = endOfString(text, index);
      if (index < 0) return { end: -1, depth: deepest };
      continue;
    }
    if (code === OPEN_ARRAY || code === OPEN_OBJECT) {
      depth += 1;
      deepest = Math.max(deepest, depth);
    } else if (code === CLOSE_ARRAY || code === CLOSE_OBJECT) {
      depth -= 1;
      if (depth === 0) return { end: index + 1, depth: deepest };
    }
    index += 1;
  }
  return { end: -1, depth: deepest };
}

function trailingText(text: string, index: number): string {
  const sample = JSON.stringify(text.slice(index, index + 20));
  return (
    `${text.length - index} trailing characters at character ${index} ` +
    `are not a JSON object or array (they start ${sample})`
  );
}

/**
 * Splits text into the JSON objects and arrays written back to back in
 * it, with or without whitespace and blank lines between them, as
 * CloudWatch Logs and Firehose concatenate documents. Only the brackets
 * are scanned here; each document is parsed by the caller. The scan stops
 * at the first text that does not start an object or array, or at a
 * document cut off before its end, and reports it in `problems`. The
 * documents before that point are returned. A document nested deeper
 * than {@link MAX_JSON_DEPTH} is reported and skipped.
 */
export function splitJsonDocuments(text: string): JsonDocuments {
  const documents: string[] = [];
  const problems: string[] = [];
  let index = skipWhitespace(text, 0);
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (code !== OPEN_OBJECT && code !== OPEN_ARRAY) {
      problems.push(trailingText(text, index));
      break;
    }
    const scan = scanValue(text, index);
    if (scan.end < 0) {
      problems.push(`the document at character ${index} is cut off`);
      break;
    }
    if (scan.depth > MAX_JSON_DEPTH) {
      problems.push(
        `the document at character ${index} nests arrays and objects ` +
          `deeper than ${MAX_JSON_DEPTH} levels, the limit; flatten it`,
      );
    } else {
      documents.push(text.slice(index, scan.end));
    }
    index = skipWhitespace(text, scan.end);
  }
  return { documents, problems };
}
