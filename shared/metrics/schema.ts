import { z } from 'zod';
import {
  MAX_LABEL_KEY_LENGTH,
  MAX_LABEL_VALUE_LENGTH,
  MAX_METRIC_LABELS as MAX_LABELS,
} from '../limits.js';
import { timestampSchema } from '../model/time.js';
import { bucketLayoutProblem, bucketTotalProblem } from './rules.js';

function finiteNumber() {
  return z.number({
    error: (issue) =>
      issue.input === undefined
        ? 'is missing; send a number'
        : 'must be a finite number; send a real number such as 0.5',
  });
}

function observationCount() {
  return z
    .number({
      error: (issue) =>
        issue.input === undefined
          ? 'is missing; send the number of observations'
          : 'must be a non-negative integer',
    })
    .int({ error: 'must be a non-negative integer' })
    .nonnegative({ error: 'must be a non-negative integer' });
}

function requiredText(what: string) {
  return z
    .string({ error: `is missing or not a string; send the ${what}` })
    .trim()
    .min(1, { error: `is empty; send the ${what}` });
}

function labelKeyProblem(key: string): string | undefined {
  if (key === '') return 'label keys must not be empty';
  if (key.length > MAX_LABEL_KEY_LENGTH) {
    return `label keys must be at most ${MAX_LABEL_KEY_LENGTH} characters`;
  }
  return undefined;
}

const labelsSchema = z
  .record(
    z.string(),
    z
      .string({ error: 'label values must be strings; quote numbers' })
      .max(MAX_LABEL_VALUE_LENGTH, {
        error:
          `label values must be at most ${MAX_LABEL_VALUE_LENGTH} ` +
          'characters; move long text to logs',
      }),
    { error: 'must be an object of string labels' },
  )
  .superRefine((labels, ctx) => {
    const keys = Object.keys(labels);
    if (keys.length > MAX_LABELS) {
      ctx.addIssue({
        code: 'custom',
        message: `has more than ${MAX_LABELS} labels; drop high-cardinality ones`,
      });
    }
    for (const key of keys) {
      const problem = labelKeyProblem(key);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }
  });

const temporalitySchema = z.enum(['cumulative', 'delta'], {
  error: 'must be cumulative or delta',
});

const common = {
  service: requiredText('service name'),
  name: requiredText('metric name'),
  labels: labelsSchema.optional(),
  unit: z.string({ error: 'must be a string such as ms or By' }).optional(),
  timestamp: timestampSchema.optional(),
  /** Start of the cumulative interval; a new one starts a new series. */
  start_timestamp: timestampSchema.optional(),
};

const counterSchema = z.object({
  ...common,
  type: z.literal('counter'),
  value: finiteNumber().nonnegative({
    error:
      'must not be negative for a counter; send a gauge for values that ' +
      'go down',
  }),
  temporality: temporalitySchema.optional(),
});

const gaugeSchema = z.object({
  ...common,
  type: z.literal('gauge'),
  value: finiteNumber(),
});

const bucketsSchema = z
  .object(
    {
      bounds: z.array(finiteNumber(), {
        error: 'must be an array of bucket upper bounds',
      }),
      counts: z.array(observationCount(), {
        error: 'must be an array of counts, one per bucket plus the overflow',
      }),
    },
    { error: 'is missing or not an object; send {bounds, counts}' },
  )
  .superRefine((buckets, ctx) => {
    const problem = bucketLayoutProblem(buckets.bounds, buckets.counts);
    if (!problem) return;
    const path = problem.startsWith('must be strictly') ? 'bounds' : 'counts';
    ctx.addIssue({ code: 'custom', path: [path], message: problem });
  });

const histogramSchema = z
  .object({
    ...common,
    type: z.literal('histogram'),
    buckets: bucketsSchema,
    count: observationCount(),
    sum: finiteNumber(),
    min: finiteNumber().optional(),
    max: finiteNumber().optional(),
    temporality: temporalitySchema.optional(),
  })
  .superRefine((point, ctx) => {
    const total = point.buckets.counts.reduce((sum, n) => sum + n, 0);
    const problem = bucketTotalProblem(point.count, total);
    if (problem)
      ctx.addIssue({ code: 'custom', path: ['count'], message: problem });
    if (point.min !== undefined && point.max !== undefined) {
      if (point.min > point.max) {
        ctx.addIssue({
          code: 'custom',
          path: ['min'],
          message: 'must not exceed max',
        });
      }
    }
  });

const quantileSchema = z.object({
  quantile: finiteNumber()
    .min(0, { error: 'must be from 0 to 1, such as 0.99' })
    .max(1, { error: 'must be from 0 to 1, such as 0.99' }),
  value: finiteNumber(),
});

const summarySchema = z.object({
  ...common,
  type: z.literal('summary'),
  count: observationCount(),
  sum: finiteNumber(),
  quantiles: z.array(quantileSchema, {
    error: 'must be an array of {quantile, value} objects',
  }),
});

/** One metric point as our JSON API accepts it. */
export const apiPointSchema = z.discriminatedUnion(
  'type',
  [counterSchema, gaugeSchema, histogramSchema, summarySchema],
  { error: 'must be one of counter, gauge, histogram or summary' },
);

export type ApiPoint = z.output<typeof apiPointSchema>;
