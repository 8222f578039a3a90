import { describe, expect, it } from 'vitest';
import { parseJsonExact } from '#shared/http/json.js';

describe('parseJsonExact', () => {
  it.each([
    ['9007199254740993', 9007199254740993n],
    ['-9223372036854775808', -9223372036854775808n],
    ['18446744073709551615', 18446744073709551615n],
  ])('reads %s as an exact bigint', (literal, expected) => {
    expect(parseJsonExact(`{"n":${literal}}`)).toEqual({ n: expected });
  });

  it.each([
    ['9007199254740991', 9007199254740991],
    ['-12', -12],
    ['1.5e300', 1.5e300],
    ['9007199254740993.5', Number('9007199254740993.5')],
  ])('reads %s as a number', (literal, expected) => {
    expect(parseJsonExact(`[${literal}]`)).toEqual([expected]);
  });

  it('leaves digits inside strings alone', () => {
    const text = '{"a":"9007199254740993","b":"x\\"9007199254740993"}';

    expect(parseJsonExact(text)).toEqual({
      a: '9007199254740993',
      b: 'x"9007199254740993',
    });
  });

  it('reads big integers in keys and nested arrays', () => {
    const text = '{"9007199254740993":[[9007199254740993]]}';

    expect(parseJsonExact(text)).toEqual({
      '9007199254740993': [[9007199254740993n]],
    });
  });

  it('raises the SyntaxError of the text as sent', () => {
    expect(() => parseJsonExact('{"a":9007199254740993,}')).toThrow(
      SyntaxError,
    );
  });
});
