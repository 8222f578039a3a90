import { constants, crc32, inflateRawSync } from 'node:zlib';
import { MAX_DECOMPRESSED_BODY_BYTES } from '../limits.js';

/** The output of {@link gunzipMembers} and the parts it could not read. */
export interface Gunzipped {
  data: Buffer;
  /** Reasons that input after `data` was not read; empty when all was. */
  problems: string[];
}

// Gzip member layout (RFC 1952): magic, method, flags, then optional fields.
const MAGIC_1 = 0x1f;
const MAGIC_2 = 0x8b;
const DEFLATE = 8;
const FIXED_HEADER_BYTES = 10;
const TRAILER_BYTES = 8;
const FLAG_HEADER_CRC = 0x02;
const FLAG_EXTRA = 0x04;
const FLAG_NAME = 0x08;
const FLAG_COMMENT = 0x10;

/** Tells whether `data` starts with the gzip magic bytes. */
export function isGzip(data: Buffer, offset = 0): boolean {
  return data[offset] === MAGIC_1 && data[offset + 1] === MAGIC_2;
}

/** Returns the index after the zero byte that ends a header string. */
function afterZero(data: Buffer, start: number): number {
  const zero = data.indexOf(0, start);
  return zero < 0 ? data.length + 1 : zero + 1;
}

/**
 * Returns the length of the member header at `start`, or a reason when
 * it is not one. Optional fields (extra, name, comment, header CRC) are
 * skipped according to the flag byte.
 */
function headerLength(data: Buffer, start: number): number | string {
  if (data[start + 2] !== DEFLATE) {
    return `the gzip member at byte ${start} does not use deflate`;
  }
  const flags = data[start + 3] ?? 0;
  let index = start + FIXED_HEADER_BYTES;
  if (flags & FLAG_EXTRA) {
    index += index + 2 <= data.length ? 2 + data.readUInt16LE(index) : 2;
  }
  if (flags & FLAG_NAME) index = afterZero(data, index);
  if (flags & FLAG_COMMENT) index = afterZero(data, index);
  if (flags & FLAG_HEADER_CRC) index += 2;
  if (index > data.length) {
    return `the gzip member at byte ${start} is cut off in its header`;
  }
  return index - start;
}

/** An inflated member, possibly cut off, or why it could not be read. */
type Member =
  | { output: Buffer; end: number; problem?: string }
  | { problem: string };

/**
 * Inflates the member at `start`. A member cut off before its trailer
 * keeps the output inflated so far and reports the cut, so whole
 * documents in it are not lost. A member whose CRC does not match is
 * dropped, because its output cannot be trusted.
 */
function inflateMember(data: Buffer, start: number, budget: number): Member {
  const header = headerLength(data, start);
  if (typeof header === 'string') return { problem: header };
  const body = start + header;
  const { buffer, engine } = inflateRawSync(data.subarray(body), {
    info: true,
    maxOutputLength: Math.max(budget, 1),
    finishFlush: constants.Z_SYNC_FLUSH,
  }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };

  const trailer = body + engine.bytesWritten;
  if (trailer + TRAILER_BYTES > data.length) {
    return {
      output: buffer,
      end: data.length,
      problem: `the gzip member at byte ${start} is cut off before its end`,
    };
  }
  if (data.readUInt32LE(trailer) !== crc32(buffer)) {
    return { problem: `the gzip member at byte ${start} fails its CRC check` };
  }
  return { output: buffer, end: trailer + TRAILER_BYTES };
}

function inflateProblem(error: unknown, start: number, maxBytes: number) {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ERR_BUFFER_TOO_LARGE') {
    return `the data exceeds ${maxBytes} bytes after gzip decompression`;
  }
  const reason = error instanceof Error ? error.message : String(error);
  return `the gzip member at byte ${start} is invalid: ${reason}`;
}

/**
 * Decompresses gzip data of one or more members written back to back, as
 * CloudWatch Logs writes them. Each member is inflated on its own, so the
 * output of the members before a bad one is kept. Decompression stops at
 * bytes after a member that are not gzip, at a cut-off member, at a
 * failed CRC check and at output past `maxBytes`, and `problems` reports
 * the reason.
 */
export function gunzipMembers(
  data: Buffer,
  maxBytes = MAX_DECOMPRESSED_BODY_BYTES,
): Gunzipped {
  const outputs: Buffer[] = [];
  const problems: string[] = [];
  let size = 0;
  let start = 0;
  while (start < data.length) {
    if (!isGzip(data, start)) {
      problems.push(
        `${data.length - start} trailing bytes at byte ${start} are not gzip`,
      );
      break;
    }
    let member: Member;
    try {
      member = inflateMember(data, start, maxBytes - size);
    } catch (error) {
      problems.push(inflateProblem(error, start, maxBytes));
      break;
    }
    if ('output' in member) {
      outputs.push(member.output);
      size += member.output.length;
      start = member.end;
    }
    if (member.problem !== undefined) {
      problems.push(member.problem);
      break;
    }
  }
  return { data: Buffer.concat(outputs), problems };
}
