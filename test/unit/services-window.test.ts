import { describe, expect, it } from 'vitest';
import { ValidationError } from '#shared/errors.js';
import { parseWindowMs, trailingWindow } from '#shared/services/window.js';

describe('parseWindowMs', () => {
  it.each([
    ['60s', 60_000],
    ['5m', 300_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['24h', 86_400_000],
    ['7d', 604_800_000],
  ])('reads %s', (text, ms) => {
    expect(parseWindowMs(text)).toBe(ms);
  });

  it.each([
    '',
    '15',
    'm',
    '1.5h',
    '-5m',
    '5 minutes',
    '5M',
    '59s',
    '8d',
    '9999999h',
  ])('rejects %j naming the window field', (text) => {
    let caught: unknown;
    try {
      parseWindowMs(text);
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).details[0]?.path).toBe('window');
  });
});

describe('trailingWindow', () => {
  it('ends at now and uses the fallback', () => {
    const window = trailingWindow(undefined, '15m', 1_000_000_000);

    expect(window).toEqual({
      text: '15m',
      start_ms: 1_000_000_000 - 900_000,
      end_ms: 1_000_000_000,
    });
  });
});
