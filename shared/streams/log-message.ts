import { jsonDepth } from '../http/json.js';
import { MAX_JSON_DEPTH } from '../limits.js';
import { type LogLevel, levelFromSeverity } from '../model/log.js';
import { findTraceId, spanIdOf, w3cTraceIdOf } from './trace-id.js';

/** The level, trace and request that a log line names. */
export interface MessageFacts {
  level: LogLevel;
  /** The level as the line wrote it (`ERROR`, `warn`, `50`), else empty. */
  severityText: string;
  traceId: string | null;
  spanId: string | null;
  /** The Lambda request id, when the line names one. */
  requestId: string | null;
}

type Json = Record<string, unknown>;

/**
 * Fields read from a JSON log line, in order of preference. They cover
 * Powertools for AWS Lambda (`level`, `xray_trace_id`,
 * `function_request_id`), pino (numeric `level`, `msg`) with the
 * OpenTelemetry instrumentation (`trace_id`, `span_id`), and Lambda's
 * JSON log format (`level`, `requestId`, `traceId`).
 */
const LEVEL_FIELDS = ['level', 'severity', 'levelname', 'log.level'];
const TRACE_FIELDS = ['xray_trace_id', 'traceId', 'trace_id', 'xRayTraceId'];
const SPAN_FIELDS = ['span_id', 'spanId'];
const REQUEST_FIELDS = ['requestId', 'function_request_id', 'aws_request_id'];

const NONE: MessageFacts = {
  level: 'UNSPECIFIED',
  severityText: '',
  traceId: null,
  spanId: null,
  requestId: null,
};

function parseJsonObject(message: string): Json | undefined {
  const text = message.trim();
  if (!text.startsWith('{') || !text.endsWith('}')) return undefined;
  if (jsonDepth(text) > MAX_JSON_DEPTH) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    const isObject = typeof value === 'object' && value !== null;
    return isObject && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}

function firstString(object: Json, fields: string[]): string | undefined {
  for (const field of fields) {
    const value = object[field];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/** Maps pino's numeric levels: 10 trace up to 60 fatal. */
export function levelFromPino(level: number): LogLevel {
  if (level >= 60) return 'FATAL';
  if (level >= 50) return 'ERROR';
  if (level >= 40) return 'WARN';
  if (level >= 30) return 'INFO';
  if (level >= 20) return 'DEBUG';
  return level >= 10 ? 'TRACE' : 'UNSPECIFIED';
}

/**
 * Reads the level of a JSON line. A Lambda platform event of the JSON log
 * format (`"type": "platform.report"` and so on) has no level: it is INFO,
 * or ERROR when its record reports a status other than success.
 */
function jsonLevel(object: Json): Pick<MessageFacts, 'level' | 'severityText'> {
  for (const field of LEVEL_FIELDS) {
    const value = object[field];
    if (typeof value === 'number' && Number.isFinite(value)) {
      return { level: levelFromPino(value), severityText: String(value) };
    }
    if (typeof value === 'string' && value !== '') {
      return { level: levelFromSeverity(0, value), severityText: value };
    }
  }
  if (typeof object.type === 'string' && object.type.startsWith('platform.')) {
    const status = (object.record as Json | undefined)?.status;
    const failed = typeof status === 'string' && status !== 'success';
    return { level: failed ? 'ERROR' : 'INFO', severityText: '' };
  }
  return { level: 'UNSPECIFIED', severityText: '' };
}

function jsonFacts(object: Json): MessageFacts {
  const trace = firstString(object, TRACE_FIELDS);
  const traceId = trace ? w3cTraceIdOf(trace) : null;
  const span = firstString(object, SPAN_FIELDS);
  return {
    ...jsonLevel(object),
    traceId,
    spanId: traceId && span ? spanIdOf(span) : null,
    requestId: firstString(object, REQUEST_FIELDS) ?? null,
  };
}

const LEVEL_WORDS = 'TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|CRITICAL';

/** A Lambda invocation that failed or timed out, as the runtime logs it. */
const LAMBDA_FAILURE =
  /^REPORT RequestId: .*\bStatus: (?:error|timeout)\b|\bTask timed out after\b/;
/** Lines the Lambda platform writes around each invocation. */
const LAMBDA_PLATFORM =
  /^(?:START|END|REPORT|INIT_START|INIT_REPORT|INIT_RUNTIME_DONE|RESTORE_START|RESTORE_REPORT|EXTENSION|TELEMETRY)\b/;
/** `[ERROR]`, as the Python runtime and many loggers write the level. */
const BRACKETED = new RegExp(`\\[(${LEVEL_WORDS})\\]`, 'i');
/** The Node.js runtime's text format: time, request id, level, message. */
const TAB_SEPARATED = new RegExp(`^[^\\t]+\\t[^\\t]+\\t(${LEVEL_WORDS})\\t`);
/** logfmt: `level=error`, `lvl=warn`, `severity="info"`. */
const LOGFMT = /\b(?:level|lvl|severity)=["']?([a-z]+)/i;
/** A level written in capitals as a word of its own. */
const CAPITAL_WORD = new RegExp(`\\b(${LEVEL_WORDS})\\b`);
const REQUEST_ID =
  /(?:RequestId: |\t)([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b/i;

function textLevel(line: string): Pick<MessageFacts, 'level' | 'severityText'> {
  if (LAMBDA_FAILURE.test(line)) return { level: 'ERROR', severityText: '' };
  if (LAMBDA_PLATFORM.test(line)) return { level: 'INFO', severityText: '' };
  for (const pattern of [BRACKETED, TAB_SEPARATED, LOGFMT, CAPITAL_WORD]) {
    const word = pattern.exec(line)?.[1];
    if (!word) continue;
    const level = levelFromSeverity(0, word);
    if (level !== 'UNSPECIFIED') return { level, severityText: word };
  }
  return { level: 'UNSPECIFIED', severityText: '' };
}

function textFacts(line: string): MessageFacts {
  return {
    ...textLevel(line),
    traceId: findTraceId(line),
    spanId: null,
    requestId: REQUEST_ID.exec(line)?.[1] ?? null,
  };
}

/**
 * Reads the level, trace id and request id that a log line carries. A JSON
 * object is read by its fields (see LEVEL_FIELDS and the lists beside
 * it). Other text is matched against common patterns, and the first match
 * wins. In order, they are a failed or timed out Lambda invocation
 * (ERROR), a Lambda platform line such as START, END or REPORT (INFO),
 * `[ERROR]`, the Node.js runtime's tab-separated level, logfmt's
 * `level=error`, and a level word in capitals. Trace ids come back in the
 * W3C form (see {@link w3cTraceIdOf}).
 */
export function readMessageFacts(message: string): MessageFacts {
  if (message.trim() === '') return NONE;
  const object = parseJsonObject(message);
  return object ? jsonFacts(object) : textFacts(message);
}
