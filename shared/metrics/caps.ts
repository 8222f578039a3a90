import {
  MAX_LABEL_KEY_LENGTH,
  MAX_LABEL_VALUE_LENGTH,
  MAX_METRIC_LABELS,
  MAX_RESOURCE_ATTRIBUTES,
} from '../limits.js';
import type { MetricPoint } from '../model/metric.js';
import { capValues, serviceNameProblem } from '../traces/caps.js';
import type { PointProblem } from './rules.js';

/** Checks the label caps, which OTLP points reach without the API schema. */
export function labelsProblem(point: MetricPoint): PointProblem | undefined {
  const entries = Object.entries(point.labels);
  if (entries.length > MAX_METRIC_LABELS) {
    return {
      field: 'labels',
      message:
        `has ${entries.length} labels, above the limit of ` +
        `${MAX_METRIC_LABELS}; drop high-cardinality ones`,
    };
  }
  for (const [key, value] of entries) {
    if (key.length > MAX_LABEL_KEY_LENGTH) {
      return {
        field: 'labels',
        message:
          `key ${JSON.stringify(key.slice(0, 32))}... is longer than ` +
          `${MAX_LABEL_KEY_LENGTH} characters; use a short label key`,
      };
    }
    if (value.length > MAX_LABEL_VALUE_LENGTH) {
      return {
        field: `labels.${key}`,
        message:
          `is longer than ${MAX_LABEL_VALUE_LENGTH} characters; move long ` +
          'text to logs',
      };
    }
  }
  return undefined;
}

/** Checks the service name and the key counts of resource and scope. */
export function resourceProblem(point: MetricPoint): PointProblem | undefined {
  const service = serviceNameProblem(point.service);
  if (service) return { field: 'service', message: service };
  const maps = [
    ['resource', point.resource],
    ['scope.attributes', point.scope?.attributes ?? {}],
  ] as const;
  for (const [field, attributes] of maps) {
    const count = Object.keys(attributes).length;
    if (count > MAX_RESOURCE_ATTRIBUTES) {
      return {
        field,
        message:
          `has ${count} keys, above the limit of ${MAX_RESOURCE_ATTRIBUTES}; ` +
          'move per-point detail to labels',
      };
    }
  }
  return undefined;
}

/**
 * Shortens the string values of a point's attributes, resource and scope
 * to the attribute value cap, as spans and log records are. Every point
 * under a resource stores its own copy of it.
 */
export function capPointValues(point: MetricPoint): MetricPoint {
  const scope = point.scope && {
    ...point.scope,
    attributes: capValues(point.scope.attributes),
  };
  return {
    ...point,
    attributes: capValues(point.attributes),
    resource: capValues(point.resource),
    scope,
  };
}
