import { z } from 'zod';

/** Config store kind of a service registration, keyed by service name. */
export const SERVICE_KIND = 'service';

/** Most tags and declared dependencies one registration may carry. */
export const MAX_TAGS = 64;
export const MAX_DEPENDENCIES = 100;

/**
 * A service name as OpenTelemetry's `service.name` carries it. Control
 * characters are rejected because the name appears in URLs and logs.
 */
export const serviceNameSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  .refine((name) => name.trim() === name, {
    message: 'must not start or end with whitespace',
  })
  .refine((name) => !/\p{Cc}/u.test(name), {
    message: 'must not contain control characters',
  });

const textSchema = (max: number) =>
  z.string().max(max, `must be at most ${max} characters`);

const tagsSchema = z
  .record(textSchema(128).min(1, 'tag keys must not be empty'), textSchema(256))
  .refine((tags) => Object.keys(tags).length <= MAX_TAGS, {
    message: `must have at most ${MAX_TAGS} tags`,
  });

/**
 * Body of `POST /services/register`. Every field but `name` may be left
 * out, and a registration replaces the previous one whole, so a field left
 * out returns to its default. Unknown fields are rejected.
 */
export const registrationSchema = z
  .strictObject({
    name: serviceNameSchema,
    description: textSchema(2000).default(''),
    team: textSchema(255).min(1).nullable().default(null),
    environment: textSchema(255).min(1).nullable().default(null),
    version: textSchema(255).min(1).nullable().default(null),
    tags: tagsSchema.default({}),
    dependencies: z
      .array(serviceNameSchema)
      .max(MAX_DEPENDENCIES, `must list at most ${MAX_DEPENDENCIES} services`)
      .default([]),
  })
  .superRefine((body, ctx) => {
    const index = body.dependencies.indexOf(body.name);
    if (index >= 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['dependencies', index],
        message: 'a service cannot depend on itself; remove its own name',
      });
    }
  });

export type Registration = z.output<typeof registrationSchema>;

/** A stored registration: the request's fields plus its timestamps. */
export interface ServiceRecord extends Registration {
  /** When the service was first registered, ISO 8601. */
  registered_at: string;
  /** When the registration was last written, ISO 8601. */
  updated_at: string;
}

export const HEALTH_STATUSES = [
  'healthy',
  'degraded',
  'down',
  'unknown',
] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

/** Body of `PUT /services/{service_id}/health`. */
export const healthBodySchema = z.strictObject({
  status: z.enum(HEALTH_STATUSES, {
    error: `must be one of ${HEALTH_STATUSES.join(', ')}`,
  }),
  reason: textSchema(1000).default(''),
});

export const DEFAULT_SERVICE_LIMIT = 50;
export const MAX_SERVICE_LIMIT = 200;

/** Query string of `GET /services`. */
export const listQuerySchema = z.strictObject({
  environment: z.string().min(1).optional(),
  team: z.string().min(1).optional(),
  health: z
    .enum(HEALTH_STATUSES, {
      error: `must be one of ${HEALTH_STATUSES.join(', ')}`,
    })
    .optional(),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_SERVICE_LIMIT)
    .default(DEFAULT_SERVICE_LIMIT),
  cursor: z.string().min(1).optional(),
});

/** Query string of `GET /services/{service_id}`. */
export const detailQuerySchema = z.strictObject({
  window: z.string().optional(),
});

export const DEFAULT_TOPOLOGY_DEPTH = 2;
export const MAX_TOPOLOGY_DEPTH = 5;

/** Query string of `GET /services/{service_id}/topology`. */
export const topologyQuerySchema = z.strictObject({
  depth: z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(MAX_TOPOLOGY_DEPTH, `must be at most ${MAX_TOPOLOGY_DEPTH}`)
    .default(DEFAULT_TOPOLOGY_DEPTH),
  window: z.string().optional(),
});
