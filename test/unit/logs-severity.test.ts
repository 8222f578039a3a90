import { describe, expect, it } from 'vitest';
import { severityOf } from '#shared/logs/record.js';
import { logInputSchema } from '#shared/logs/schema.js';
import { levelFromSeverity } from '#shared/model/log.js';

describe('levelFromSeverity', () => {
  it.each<[number, string, string]>([
    [17, '400', 'ERROR'],
    [9, '200', 'INFO'],
    [0, 'warning', 'WARN'],
    [13, '', 'WARN'],
    [0, '', 'UNSPECIFIED'],
    [1, '', 'TRACE'],
    [4, '', 'TRACE'],
    [5, '', 'DEBUG'],
    [12, '', 'INFO'],
    [16, '', 'WARN'],
    [20, 'info', 'ERROR'],
    [21, '', 'FATAL'],
    [24, '', 'FATAL'],
    [0, ' Error ', 'ERROR'],
    [0, 'CRITICAL', 'FATAL'],
    [0, 'verbose', 'UNSPECIFIED'],
  ])('maps (%i, %j) to %s', (number, text, level) => {
    expect(levelFromSeverity(number, text)).toBe(level);
  });
});

function severityOfRecord(fields: Record<string, unknown>) {
  const input = logInputSchema.parse({
    service: 'api',
    message: 'm',
    ...fields,
  });
  return severityOf(input);
}

describe('severityOf', () => {
  it('keeps the severity text as sent', () => {
    expect(
      severityOfRecord({ severity_number: 17, severity_text: '400' }),
    ).toEqual({ level: 'ERROR', severity_number: 17, severity_text: '400' });
  });

  it('reads the text when the number is missing', () => {
    expect(severityOfRecord({ severity_text: 'warning' })).toEqual({
      level: 'WARN',
      severity_number: 0,
      severity_text: 'warning',
    });
  });

  it('leaves a record without severity unspecified', () => {
    expect(severityOfRecord({})).toEqual({
      level: 'UNSPECIFIED',
      severity_number: 0,
      severity_text: '',
    });
  });

  it.each(['warn', 'WARN', 'Warn'])('accepts the level %s', (level) => {
    expect(severityOfRecord({ level })).toEqual({
      level: 'WARN',
      severity_number: 13,
      severity_text: level,
    });
  });

  it('lets level win over the severity number', () => {
    expect(severityOfRecord({ level: 'error', severity_number: 9 }).level).toBe(
      'ERROR',
    );
  });

  it('rejects a level outside the six names', () => {
    const result = logInputSchema.safeParse({
      service: 'api',
      message: 'm',
      level: 'warning',
    });

    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(
      /invalid level "warning".*severity_text/,
    );
  });
});
