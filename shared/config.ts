import { z } from 'zod';
import { ValidationError } from './errors.js';

const positiveInt = (fallback: number) =>
  z.coerce.number().int().positive().default(fallback);

const envSchema = z.object({
  STORAGE: z.enum(['duckdb']).default('duckdb'),
  OBSERVATORY_DATA_DIR: z.string().min(1).default('./.observatory'),
  OBSERVATORY_INGEST_MAX_AGE_HOURS: positiveInt(7 * 24),
  OBSERVATORY_INGEST_MAX_FUTURE_MINUTES: positiveInt(10),
});

/** Typed configuration, parsed once from the environment at cold start. */
export interface Config {
  storage: 'duckdb';
  dataDir: string;
  /** How far in the past an ingested timestamp may lie, in milliseconds. */
  ingestMaxAgeMs: number;
  /** How far in the future an ingested timestamp may lie, in milliseconds. */
  ingestMaxFutureMs: number;
}

/** Parses `env` into a {@link Config}, naming each invalid variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const details = parsed.error.issues.map((issue) => ({
      path: issue.path.join('.'),
      message: issue.message,
    }));
    const names = details.map((detail) => detail.path).join(', ');
    throw new ValidationError(
      `invalid environment variable(s): ${names}`,
      details,
    );
  }

  const vars = parsed.data;
  return {
    storage: vars.STORAGE,
    dataDir: vars.OBSERVATORY_DATA_DIR,
    ingestMaxAgeMs: vars.OBSERVATORY_INGEST_MAX_AGE_HOURS * 3_600_000,
    ingestMaxFutureMs: vars.OBSERVATORY_INGEST_MAX_FUTURE_MINUTES * 60_000,
  };
}
