import { describe, expect, it } from 'vitest';
import { BatchTexts } from '#shared/store/duckdb/metric-texts.js';

describe('BatchTexts', () => {
  it('numbers distinct texts from 1 in order of arrival', () => {
    const texts = new BatchTexts();

    const positions = ['api', 'web', 'api', 'db'].map((t) =>
      texts.positionOf(t),
    );

    expect(positions).toEqual([1, 2, 1, 3]);
    expect(texts.list).toEqual(['api', 'web', 'db']);
  });

  it('gives equal JSON of two objects one position', () => {
    const texts = new BatchTexts();

    const first = texts.positionOfJson({ zone: { stringValue: 'a' } });
    const second = texts.positionOfJson({ zone: { stringValue: 'a' } });

    expect(second).toBe(first);
    expect(texts.list).toEqual(['{"zone":{"stringValue":"a"}}']);
  });

  it('builds the JSON of an object once', () => {
    const texts = new BatchTexts();
    const resource: Record<string, unknown> = { zone: 'a' };

    const first = texts.positionOfJson(resource);
    resource.zone = 'b';
    const second = texts.positionOfJson(resource);

    expect(second).toBe(first);
    expect(texts.list).toEqual(['{"zone":"a"}']);
  });
});
