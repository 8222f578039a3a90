import { describe, expect, it } from 'vitest';
import {
  anyValueFromPlain,
  plainFromAnyValue,
} from '#shared/model/attributes.js';

describe('anyValueFromPlain', () => {
  it.each([
    [25, { intValue: '25' }],
    [-12, { intValue: '-12' }],
    [1.5, { doubleValue: 1.5 }],
    [1e21, { doubleValue: 1e21 }],
    [2 ** 60, { doubleValue: 2 ** 60 }],
    [9007199254740993n, { intValue: '9007199254740993' }],
    [2n ** 63n - 1n, { intValue: '9223372036854775807' }],
    [2n ** 64n, { doubleValue: 2 ** 64 }],
  ])('types %s as %j', (input, expected) => {
    expect(anyValueFromPlain(input)).toEqual(expected);
  });

  it.each([1e21, 2 ** 60, 2n ** 64n])(
    'reads %s back without throwing',
    (input) => {
      const typed = anyValueFromPlain(input);

      expect(() => plainFromAnyValue(typed)).not.toThrow();
    },
  );
});
