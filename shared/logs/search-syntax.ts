/**
 * Log search syntax, the one every log store implements:
 *
 * - `word`: the message contains the word (case-insensitive substring).
 * - `"a phrase"`: the message contains the phrase as written, spaces
 *   included (case-insensitive).
 * - `-word` and `-"a phrase"`: the message does not contain it.
 *
 * Nothing else has a meaning. Wildcards, regular expressions and
 * `field:value` are plain text, and characters such as `% _ * \ '` match
 * themselves. A quote opens a phrase only at the start of a term (`say"hi"`
 * is one word), and a phrase whose closing quote is missing runs to the end
 * of the query. A lone `-` is the word `-`, and `""` is ignored.
 */
export interface LogSearchTerms {
  /** Lower-case texts that must all appear in the message. */
  include: string[];
  /** Lower-case texts none of which may appear in the message. */
  exclude: string[];
}

interface Term {
  text: string;
  negated: boolean;
}

const WHITESPACE = /\s/u;

/** Parses a log search query into the texts to include and exclude. */
export function parseLogSearch(query: string): LogSearchTerms {
  const terms: LogSearchTerms = { include: [], exclude: [] };
  for (const term of tokenize(query)) {
    if (term.text === '') continue;
    const text = term.text.toLowerCase();
    const list = term.negated ? terms.exclude : terms.include;
    if (!list.includes(text)) list.push(text);
  }
  return terms;
}

function tokenize(query: string): Term[] {
  const terms: Term[] = [];
  let position = 0;
  while (position < query.length) {
    if (WHITESPACE.test(query.charAt(position))) {
      position += 1;
      continue;
    }
    const [term, next] = readTerm(query, position);
    terms.push(term);
    position = next;
  }
  return terms;
}

/** Reads one term starting at `start`; returns it and the next position. */
function readTerm(query: string, start: number): [Term, number] {
  let position = start;
  const negated = query.charAt(position) === '-';
  if (negated) position += 1;

  if (query.charAt(position) === '"') {
    const close = query.indexOf('"', position + 1);
    const end = close < 0 ? query.length : close;
    const text = query.slice(position + 1, end);
    return [{ text, negated }, Math.min(end + 1, query.length)];
  }

  const end = wordEnd(query, position);
  const text = query.slice(position, end);
  if (negated && text === '') return [{ text: '-', negated: false }, end];
  return [{ text, negated }, end];
}

function wordEnd(query: string, start: number): number {
  let position = start;
  while (position < query.length && !WHITESPACE.test(query.charAt(position))) {
    position += 1;
  }
  return position;
}
