import { normalizeSpanId, normalizeTraceId } from '../model/ids.js';

/**
 * An X-Ray trace id, `1-5759e988-bd862e3fe1be46a994272793`: version 1,
 * the trace's start in epoch seconds as 8 hex digits, and 24 random hex
 * digits. It may stand alone or as the `Root=` of an X-Amzn-Trace-Id
 * header (`Root=1-...;Parent=...;Sampled=1`).
 */
const XRAY_TRACE_ID =
  /(?:^|[^0-9a-f])1-([0-9a-f]{8})-([0-9a-f]{24})(?![0-9a-f])/i;

/**
 * Converts a trace id as logs write it into the W3C form that spans use:
 * 32 lower-case hex digits. A W3C id is kept. An X-Ray id maps to its
 * epoch digits followed by its random digits, so
 * `1-5759e988-bd862e3fe1be46a994272793` becomes
 * `5759e988bd862e3fe1be46a994272793`. That is the id the AWS Distro for
 * OpenTelemetry gives the same trace, so a Lambda's logs join its spans.
 * Returns null for anything else.
 */
export function w3cTraceIdOf(value: string): string | null {
  const text = value.trim();
  const w3c = normalizeTraceId(text);
  if (w3c) return w3c;
  const xray = XRAY_TRACE_ID.exec(text);
  if (!xray) return null;
  return normalizeTraceId(`${xray[1]}${xray[2]}`) ?? null;
}

/** Returns a span id in lower case, or null when it is not 16 hex digits. */
export function spanIdOf(value: string): string | null {
  return normalizeSpanId(value.trim()) ?? null;
}

/** A `trace_id=<32 hex>` pair, with `:` or `=` and optional quotes. */
const TRACE_ID_PAIR = /\btrace[_-]?id["']?\s*[:=]\s*["']?([0-9a-f]{32})\b/i;

/**
 * Finds a trace id in free text: a `trace_id` key and value first, then
 * an X-Ray trace id anywhere. Returns it in the W3C form, or null.
 */
export function findTraceId(text: string): string | null {
  const pair = TRACE_ID_PAIR.exec(text);
  if (pair?.[1]) {
    const traceId = normalizeTraceId(pair[1]);
    if (traceId) return traceId;
  }
  const xray = XRAY_TRACE_ID.exec(text);
  if (!xray) return null;
  return normalizeTraceId(`${xray[1]}${xray[2]}`) ?? null;
}
