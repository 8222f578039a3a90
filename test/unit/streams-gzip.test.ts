import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gunzipMembers, isGzip } from '#shared/streams/gzip.js';

const first = gzipSync('{"a":1}');
const second = gzipSync('{"b":2}');

describe('gunzipMembers', () => {
  it('decompresses one member', () => {
    const result = gunzipMembers(first);

    expect(result.data.toString()).toBe('{"a":1}');
    expect(result.problems).toEqual([]);
  });

  it('joins members written back to back', () => {
    const result = gunzipMembers(Buffer.concat([first, second]));

    expect(result.data.toString()).toBe('{"a":1}{"b":2}');
    expect(result.problems).toEqual([]);
  });

  it('reads a member with a file name and comment in its header', () => {
    const plain = gzipSync('named');
    // Set FNAME and FCOMMENT and insert both strings after the header.
    const header = Buffer.from(plain.subarray(0, 10));
    header[3] = 0x08 | 0x10;
    const member = Buffer.concat([
      header,
      Buffer.from('file.json\0a comment\0'),
      plain.subarray(10),
    ]);

    expect(gunzipMembers(member).data.toString()).toBe('named');
  });

  it('keeps the members before trailing bytes that are not gzip', () => {
    const data = Buffer.concat([first, second, Buffer.from('junk')]);

    const result = gunzipMembers(data);

    expect(result.data.toString()).toBe('{"a":1}{"b":2}');
    expect(result.problems).toEqual([
      `4 trailing bytes at byte ${first.length + second.length} are not gzip`,
    ]);
  });

  it('keeps the output of a member cut off before its end', () => {
    const long = gzipSync('{"a":1}'.repeat(1000));
    const cut = long.subarray(0, long.length - 4);

    const result = gunzipMembers(Buffer.concat([first, cut]));

    expect(result.data.toString().startsWith('{"a":1}{"a":1}')).toBe(true);
    expect(result.problems[0]).toMatch(/member at byte \d+ is cut off/);
  });

  it('drops a member whose CRC does not match', () => {
    const corrupt = Buffer.from(second);
    corrupt.writeUInt32LE(0, corrupt.length - 8);

    const result = gunzipMembers(Buffer.concat([first, corrupt]));

    expect(result.data.toString()).toBe('{"a":1}');
    expect(result.problems[0]).toMatch(/fails its CRC check/);
  });

  it('stops at the decompressed size cap', () => {
    const bomb = gzipSync(Buffer.alloc(1024 * 1024));

    const result = gunzipMembers(Buffer.concat([first, bomb]), 64 * 1024);

    expect(result.data.toString()).toBe('{"a":1}');
    expect(result.problems).toEqual([
      'the data exceeds 65536 bytes after gzip decompression',
    ]);
  });

  it('reports invalid deflate data', () => {
    const broken = Buffer.from(first);
    broken[10] = 0xff;

    const result = gunzipMembers(broken);

    expect(result.problems[0]).toMatch(/member at byte 0 is invalid/);
  });
});

describe('isGzip', () => {
  it('tells gzip from other data by its magic bytes', () => {
    expect(isGzip(first)).toBe(true);
    expect(isGzip(Buffer.from('{"a":1}'))).toBe(false);
    expect(isGzip(Buffer.alloc(0))).toBe(false);
  });
});
