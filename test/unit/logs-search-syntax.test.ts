import { describe, expect, it } from 'vitest';
import { parseLogSearch } from '#shared/logs/search-syntax.js';

describe('parseLogSearch', () => {
  it.each<[string, string[], string[]]>([
    ['', [], []],
    ['   ', [], []],
    ['timeout', ['timeout'], []],
    ['Connection REFUSED', ['connection', 'refused'], []],
    ['"Connection Refused"', ['connection refused'], []],
    ['"  two  spaces "', ['  two  spaces '], []],
    ['-debug', [], ['debug']],
    ['-"health check" ok', ['ok'], ['health check']],
    ['error -"a b" -c "d e"', ['error', 'd e'], ['a b', 'c']],
    ['a\tb\nc', ['a', 'b', 'c'], []],
  ])('parses %j', (query, include, exclude) => {
    expect(parseLogSearch(query)).toEqual({ include, exclude });
  });

  it.each<[string, string[]]>([
    ['100%', ['100%']],
    ['user_id', ['user_id']],
    ['*.log', ['*.log']],
    ['C:\\temp', ['c:\\temp']],
    ["can't", ["can't"]],
    ['level:error', ['level:error']],
    ['/err.*r/', ['/err.*r/']],
    ['a?b', ['a?b']],
  ])('keeps %j as literal text', (query, include) => {
    expect(parseLogSearch(query)).toEqual({ include, exclude: [] });
  });

  it('runs an unclosed phrase to the end', () => {
    expect(parseLogSearch('error "connection reset by')).toEqual({
      include: ['error', 'connection reset by'],
      exclude: [],
    });
  });

  it('runs an unclosed excluded phrase to the end', () => {
    expect(parseLogSearch('-"health check')).toEqual({
      include: [],
      exclude: ['health check'],
    });
  });

  it('opens a phrase only at the start of a term', () => {
    expect(parseLogSearch('say"hi there"')).toEqual({
      include: ['say"hi', 'there"'],
      exclude: [],
    });
  });

  it('ends a phrase at its closing quote', () => {
    expect(parseLogSearch('"a b"c')).toEqual({
      include: ['a b', 'c'],
      exclude: [],
    });
  });

  it('reads a lone dash as the word -', () => {
    expect(parseLogSearch('GET - 500')).toEqual({
      include: ['get', '-', '500'],
      exclude: [],
    });
  });

  it('excludes a word that starts with a dash', () => {
    expect(parseLogSearch('--verbose')).toEqual({
      include: [],
      exclude: ['-verbose'],
    });
  });

  it.each(['""', '-""', '"" ""'])('ignores the empty phrase %j', (query) => {
    expect(parseLogSearch(query)).toEqual({ include: [], exclude: [] });
  });

  it('lists a repeated term once', () => {
    expect(parseLogSearch('Error error "ERROR"')).toEqual({
      include: ['error'],
      exclude: [],
    });
  });
});
