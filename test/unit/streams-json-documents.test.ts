import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '#shared/limits.js';
import { splitJsonDocuments } from '#shared/streams/json-documents.js';

describe('splitJsonDocuments', () => {
  it('splits documents written back to back', () => {
    const result = splitJsonDocuments('{"a":1}{"b":2}[3]');

    expect(result.documents).toEqual(['{"a":1}', '{"b":2}', '[3]']);
    expect(result.problems).toEqual([]);
  });

  it.each([
    ['a line feed', '{"a":1}\n{"b":2}\n'],
    ['blank lines', '\n\n{"a":1}\n\n\n{"b":2}\n\n'],
    ['CRLF and tabs', '{"a":1}\r\n\t{"b":2}'],
  ])('splits documents separated by %s', (_name, text) => {
    const result = splitJsonDocuments(text);

    expect(result.documents).toEqual(['{"a":1}', '{"b":2}']);
    expect(result.problems).toEqual([]);
  });

  it('ignores brackets inside strings', () => {
    const first = '{"message":"payload }{ with braces"}';
    const second = '{"message":"] [ { }"}';

    const result = splitJsonDocuments(`${first}${second}`);

    expect(result.documents).toEqual([first, second]);
    expect(JSON.parse(result.documents[0] ?? '').message).toBe(
      'payload }{ with braces',
    );
  });

  it.each([
    ['an escaped quote', String.raw`{"m":"say \"}{\" now"}`],
    ['an escaped backslash before the quote', String.raw`{"m":"dir\\"}`],
    ['a unicode escape', String.raw`{"m":"\u007d\u007b"}`],
  ])('keeps a string with %s whole', (_name, document) => {
    const result = splitJsonDocuments(`${document}{"next":true}`);

    expect(result.documents).toEqual([document, '{"next":true}']);
  });

  it('reports trailing garbage and keeps the documents before it', () => {
    const result = splitJsonDocuments('{"a":1}\n{"b":2}garbage!');

    expect(result.documents).toEqual(['{"a":1}', '{"b":2}']);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatch(/8 trailing characters at character 15/);
    expect(result.problems[0]).toContain('"garbage!"');
  });

  it('reports a document cut off before its end', () => {
    const result = splitJsonDocuments('{"a":1}{"b":"open string');

    expect(result.documents).toEqual(['{"a":1}']);
    expect(result.problems[0]).toMatch(/document at character 7 is cut off/);
  });

  it('skips a document nested past the limit and reads on', () => {
    const deep = `${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`;

    const result = splitJsonDocuments(`{"a":1}${deep}{"b":2}`);

    expect(result.documents).toEqual(['{"a":1}', '{"b":2}']);
    expect(result.problems[0]).toMatch(/deeper than 256 levels/);
  });

  it('returns nothing for empty or blank text', () => {
    expect(splitJsonDocuments('')).toEqual({ documents: [], problems: [] });
    expect(splitJsonDocuments(' \n\n ')).toEqual({
      documents: [],
      problems: [],
    });
  });

  it('reports text that starts with no document', () => {
    const result = splitJsonDocuments('hello {"a":1}');

    expect(result.documents).toEqual([]);
    expect(result.problems[0]).toMatch(/at character 0/);
  });
});
