import { describe, expect, it } from 'vitest';
import type { OtlpSignal } from '#shared/otlp/protobuf.js';
import { otlpSignalsOf } from '#shared/streams/otlp-sniff.js';
import { otlpRequests, protobufOf } from '#test/fixtures/streams/otlp.js';

const SIGNALS: OtlpSignal[] = ['traces', 'metrics', 'logs'];

describe('otlpSignalsOf', () => {
  it.each(SIGNALS)('tells a %s request from the others', (signal) => {
    const data = protobufOf(signal, otlpRequests()[signal]);

    expect(otlpSignalsOf(data)).toEqual([signal]);
  });

  it('fits every signal for an empty request', () => {
    expect(otlpSignalsOf(Buffer.alloc(0))).toEqual(SIGNALS);
  });

  it.each([
    ['JSON text', Buffer.from('{"resourceSpans":[]}')],
    [
      'a cut-off request',
      protobufOf('traces', otlpRequests().traces).subarray(0, 20),
    ],
    ['a group wire type', Buffer.from([0x0b, 0x0c])],
  ])('fits no signal for %s', (_name, data) => {
    expect(otlpSignalsOf(data)).toEqual([]);
  });
});
