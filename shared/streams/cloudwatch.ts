import { z } from 'zod';
import { zodDetails } from '../http/zod-details.js';
import { logIdOf } from '../logs/log-id.js';
import { attributesFromPlain } from '../model/attributes.js';
import { type LogRecord, severityNumberOf } from '../model/log.js';
import type { DecodeContext, DecodedRecord } from './items.js';
import { readMessageFacts } from './log-message.js';

const NANOS_PER_MS = 1_000_000n;
const LAMBDA_PREFIX = '/aws/lambda/';

/** Latest time a JavaScript Date holds, in epoch milliseconds. */
const MAX_DATE_MS = 8.64e15;

/** The header of a DATA_MESSAGE, without its events. */
const dataMessageSchema = z.object({
  owner: z.string(),
  logGroup: z.string().min(1),
  logStream: z.string(),
  logEvents: z.array(z.unknown()),
});

/** One log event of a DATA_MESSAGE. */
const logEventSchema = z.object({
  id: z.string().max(512),
  timestamp: z.number().int().nonnegative().max(MAX_DATE_MS),
  message: z.string(),
});

type DataMessage = z.output<typeof dataMessageSchema>;
type LogEvent = z.output<typeof logEventSchema>;

function describeIssues(error: z.ZodError): string {
  return zodDetails(error)
    .map((detail) => `${detail.path}: ${detail.message}`)
    .join('; ');
}

/** Tells whether a JSON object is a CloudWatch Logs subscription message. */
export function isSubscriptionMessage(value: Record<string, unknown>): boolean {
  return typeof value.messageType === 'string';
}

/**
 * Returns the service of a log group: the configured name when
 * `services` maps the group, `<name>` for `/aws/lambda/<name>`, else the
 * group name itself.
 */
export function serviceOfLogGroup(
  logGroup: string,
  services: Record<string, string>,
): string {
  const configured = services[logGroup];
  if (configured) return configured;
  const name = logGroup.startsWith(LAMBDA_PREFIX)
    ? logGroup.slice(LAMBDA_PREFIX.length)
    : '';
  return name || logGroup;
}

/** Drops the line break that ends most lines a program writes. */
function withoutLineBreak(message: string): string {
  return message.replace(/\r?\n$/, '');
}

/**
 * Maps one log event. The event id becomes the log id, so a redelivered
 * event is stored once. Group, stream and account (owner) are attributes,
 * named after the OpenTelemetry semantic conventions
 * (`aws.log.group.names` and `aws.log.stream.names`) in the singular,
 * because an event has one of each.
 */
function toLogRecord(
  message: DataMessage,
  event: LogEvent,
  service: string,
  receivedMs: number,
): LogRecord {
  const text = withoutLineBreak(event.message);
  const facts = readMessageFacts(text);
  const body = { stringValue: text };
  const fields = {
    service,
    time_unix_nano: BigInt(event.timestamp) * NANOS_PER_MS,
    body,
    trace_id: facts.traceId,
    span_id: facts.spanId,
  };
  const attributes: Record<string, string> = {
    'aws.log.group.name': message.logGroup,
    'aws.log.stream.name': message.logStream,
    'cloud.account.id': message.owner,
  };
  if (facts.requestId) attributes['faas.invocation_id'] = facts.requestId;
  return {
    ...fields,
    log_id: logIdOf(fields, event.id),
    observed_time_unix_nano: BigInt(receivedMs) * NANOS_PER_MS,
    severity_number: severityNumberOf(facts.level),
    severity_text: facts.severityText,
    level: facts.level,
    message: text,
    attributes: attributesFromPlain(attributes),
    resource: attributesFromPlain({
      'service.name': service,
      'cloud.provider': 'aws',
    }),
    scope: { name: '', version: '', attributes: {} },
  };
}

function readDataMessage(
  value: Record<string, unknown>,
  label: string,
  into: DecodedRecord,
  context: DecodeContext,
): void {
  const parsed = dataMessageSchema.safeParse(value);
  if (!parsed.success) {
    into.problems.push(
      `${label}: invalid DATA_MESSAGE: ${describeIssues(parsed.error)}`,
    );
    return;
  }
  const message = parsed.data;
  const service = serviceOfLogGroup(message.logGroup, context.logGroupServices);
  for (const [index, raw] of message.logEvents.entries()) {
    const where = `${label}, logEvents[${index}]`;
    const event = logEventSchema.safeParse(raw);
    if (!event.success) {
      into.problems.push(`${where}: ${describeIssues(event.error)}`);
      continue;
    }
    const record = toLogRecord(
      message,
      event.data,
      service,
      context.receivedMs,
    );
    into.logs.push({ item: record, label: `${where} (id ${event.data.id})` });
  }
}

/**
 * Reads a CloudWatch Logs subscription message. A CONTROL_MESSAGE, which
 * CloudWatch Logs sends to check that the destination is reachable, is
 * counted and skipped: it carries no log. A DATA_MESSAGE yields one log
 * record per event; an invalid event is reported and the others kept.
 */
export function readSubscriptionMessage(
  value: Record<string, unknown>,
  label: string,
  into: DecodedRecord,
  context: DecodeContext,
): void {
  if (value.messageType === 'CONTROL_MESSAGE') {
    into.controlMessages += 1;
    return;
  }
  if (value.messageType === 'DATA_MESSAGE') {
    readDataMessage(value, label, into, context);
    return;
  }
  into.problems.push(
    `${label}: messageType ${JSON.stringify(value.messageType)} is not ` +
      'CONTROL_MESSAGE or DATA_MESSAGE',
  );
}
