import { validation } from './errors.js';

/**
 * Translates the subset of Timestream SQL that the fake supports into
 * DuckDB SQL. Timestream's dialect is Trino's, which DuckDB mostly shares
 * (quoting, CASE, CAST, aggregates, LIMIT), so most tokens pass through
 * unchanged and only these are rewritten:
 *
 * - `"db"."table"` after FROM or JOIN: the table's view in the fake;
 * - `bin(t, <interval>)`: t rounded down to a multiple of the interval
 *   since the Unix epoch;
 * - `ago(<interval>)` and `now()`: times from the fake's clock;
 * - `from_milliseconds(n)`, `to_milliseconds(t)`;
 * - `approx_percentile(x, p)`: DuckDB's exact `quantile_cont`, so results
 *   are the type 7 percentile rather than an approximation;
 * - `regexp_like(s, p)`: `regexp_matches`, a partial match as in
 *   Timestream, but with RE2 syntax (no lookaround or backreferences);
 * - `measure_value::<type>`: the column of single-measure values;
 * - interval literals such as `30s`, `5m`, `1h`, `250ms` (units ns, us,
 *   ms, s, m, h, d; nanoseconds are truncated to microseconds).
 *
 * Not supported: time series functions (CREATE_TIME_SERIES,
 * INTERPOLATE_*), UNNEST of time series, and Trino's integer division
 * (`/` on two integers gives a DOUBLE in DuckDB).
 */

interface Token {
  kind: 'space' | 'string' | 'ident' | 'interval' | 'number' | 'word' | 'punct';
  text: string;
}

const PATTERNS: [Token['kind'], RegExp][] = [
  ['space', /\s+|--[^\n]*|\/\*[\s\S]*?\*\//y],
  ['string', /'(?:[^']|'')*'/y],
  ['ident', /"(?:[^"]|"")*"/y],
  ['interval', /\d+(?:ns|us|ms|s|m|h|d)(?![A-Za-z0-9_])/y],
  ['number', /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y],
  ['word', /[A-Za-z_][A-Za-z0-9_]*/y],
  ['punct', /::|<>|<=|>=|!=|\|\||[(),.*+\-/%=<>;[\]]/y],
];

/** Splits SQL into tokens; comments become spaces. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < sql.length) {
    const match = PATTERNS.flatMap(([kind, pattern]) => {
      pattern.lastIndex = at;
      const found = pattern.exec(sql);
      return found ? [{ kind, text: found[0] }] : [];
    })[0];
    if (!match) {
      const near = sql.slice(at, at + 20);
      throw validation(`line 1:${at + 1}: mismatched input '${near}'`);
    }
    tokens.push(match.kind === 'space' ? { kind: 'space', text: ' ' } : match);
    at += match.text.length;
  }
  return tokens;
}

const UNIT_US: Record<string, bigint> = {
  ns: 0n,
  us: 1n,
  ms: 1_000n,
  s: 1_000_000n,
  m: 60_000_000n,
  h: 3_600_000_000n,
  d: 86_400_000_000n,
};

/** Microseconds of an interval literal such as `60000ms`. */
export function intervalMicros(text: string): bigint {
  const [, amount, unit] = /^(\d+)([a-z]+)$/.exec(text) ?? [];
  if (unit === 'ns') return BigInt(amount ?? 0) / 1_000n;
  return BigInt(amount ?? 0) * (UNIT_US[unit ?? ''] ?? 0n);
}

/** How the translator resolves tables and reads the clock. */
export interface TranslateContext {
  /** The DuckDB view of a Timestream table, or undefined when unknown. */
  view(database: string, table: string): string | undefined;
  nowMs: number;
}

const unquote = (token: Token) =>
  token.kind === 'ident'
    ? token.text.slice(1, -1).replaceAll('""', '"')
    : token.text;

/** Index of the next non-space token at or after `from`. */
function skipSpace(tokens: readonly Token[], from: number): number {
  let i = from;
  while (tokens[i]?.kind === 'space') i++;
  return i;
}

/** Index of the `)` that closes the `(` at `open`. */
function closing(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const text = tokens[i]?.text;
    if (text === '(') depth++;
    if (text === ')' && --depth === 0) return i;
  }
  throw validation(`line 1: unbalanced parentheses`);
}

/** Splits a function's argument tokens at top-level commas. */
function splitArguments(tokens: readonly Token[]): Token[][] {
  const args: Token[][] = [[]];
  let depth = 0;
  for (const token of tokens) {
    if (token.text === '(') depth++;
    if (token.text === ')') depth--;
    if (token.text === ',' && depth === 0) args.push([]);
    else args[args.length - 1]?.push(token);
  }
  const trimmed = args.map((arg) => {
    let start = 0;
    let end = arg.length;
    while (arg[start]?.kind === 'space') start++;
    while (end > start && arg[end - 1]?.kind === 'space') end--;
    return arg.slice(start, end);
  });
  return tokens.length === 0 ? [] : trimmed;
}

function intervalArgument(tokens: readonly Token[], name: string): bigint {
  const meaningful = tokens.filter((t) => t.kind !== 'space');
  const only = meaningful[0];
  if (meaningful.length !== 1 || only?.kind !== 'interval') {
    throw validation(`${name} expects an interval literal such as 1m`);
  }
  const micros = intervalMicros(only.text);
  if (micros <= 0n)
    throw validation(`${name} needs an interval of at least 1us`);
  return micros;
}

type Rewrite = (args: Token[][], context: TranslateContext) => string;

const FUNCTIONS: Record<string, Rewrite> = {
  bin: ([time = [], size = []], c) => {
    const us = intervalArgument(size, 'bin');
    return `make_timestamp((epoch_us(${translateTokens(time, c)}) // ${us}) * ${us})`;
  },
  ago: ([size = []], c) =>
    `make_timestamp(${BigInt(c.nowMs) * 1_000n - intervalArgument(size, 'ago')})`,
  now: (_args, c) => `make_timestamp(${BigInt(c.nowMs) * 1_000n})`,
  from_milliseconds: ([ms = []], c) =>
    `make_timestamp(CAST(${translateTokens(ms, c)} AS BIGINT) * 1000)`,
  to_milliseconds: ([time = []], c) => `epoch_ms(${translateTokens(time, c)})`,
  approx_percentile: ([x = [], p = []], c) =>
    `quantile_cont(${translateTokens(x, c)}, ${translateTokens(p, c)})`,
  regexp_like: ([text = [], pattern = []], c) =>
    `regexp_matches(${translateTokens(text, c)}, ${translateTokens(pattern, c)})`,
};

/** Rewrites a table reference `db.table` that follows FROM or JOIN. */
function tableReference(
  tokens: readonly Token[],
  at: number,
  c: TranslateContext,
) {
  const dot = skipSpace(tokens, at + 1);
  const second = skipSpace(tokens, dot + 1);
  const database = tokens[at];
  const table = tokens[second];
  if (tokens[dot]?.text !== '.' || !database || !table) {
    throw validation('line 1: a table reference must be "database"."table"');
  }
  const view = c.view(unquote(database), unquote(table));
  if (!view) {
    throw validation(
      `line 1: Table ${unquote(database)}.${unquote(table)} does not exist`,
    );
  }
  return { sql: view, next: second + 1 };
}

function translateTokens(
  tokens: readonly Token[],
  c: TranslateContext,
): string {
  const out: string[] = [];
  let previous = '';
  for (let i = 0; i < tokens.length; ) {
    const token = tokens[i] as Token;
    const word = token.kind === 'word' ? token.text.toLowerCase() : '';
    const next = skipSpace(tokens, i + 1);
    if (
      (previous === 'from' || previous === 'join') &&
      token.kind !== 'space' &&
      token.text !== '('
    ) {
      const reference = tableReference(tokens, i, c);
      out.push(reference.sql);
      i = reference.next;
      previous = '';
      continue;
    }
    if (word && FUNCTIONS[word] && tokens[next]?.text === '(') {
      const end = closing(tokens, next);
      const args = splitArguments(tokens.slice(next + 1, end));
      out.push((FUNCTIONS[word] as Rewrite)(args, c));
      i = end + 1;
    } else if (word === 'measure_value' && tokens[next]?.text === '::') {
      const type = tokens[skipSpace(tokens, next + 1)];
      out.push(`"measure_value::${type?.text.toLowerCase()}"`);
      i = skipSpace(tokens, next + 1) + 1;
    } else if (token.kind === 'interval') {
      out.push(`to_microseconds(${intervalMicros(token.text)})`);
      i++;
    } else {
      out.push(token.text);
      i++;
    }
    if (token.kind !== 'space') previous = word;
  }
  return out.join('');
}

/** Translates one Timestream statement into DuckDB SQL. */
export function translate(sql: string, context: TranslateContext): string {
  return translateTokens(tokenize(sql), context);
}
