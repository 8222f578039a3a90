import { type Attributes, stringAttribute } from '../model/attributes.js';
import { type InstrumentationScope, UNKNOWN_SERVICE } from '../model/span.js';
import { readResource, readScope } from './any-value.js';
import { FieldError, readArray, readObject } from './fields.js';

/** An OTLP item that could not be mapped, by its place in the request. */
export interface MappingRejection {
  /** Path of the item in the request, such as `resourceSpans[0]...`. */
  location: string;
  reason: string;
}

/**
 * The items of one OTLP request mapped into the domain model. `locations`
 * runs parallel to `items`, so a rejection the domain reports by index can
 * be named by its place in the request.
 */
export interface MappedBatch<T> {
  items: T[];
  locations: string[];
  rejected: MappingRejection[];
}

/** The service, resource and scope shared by the items of one scope. */
export interface ScopeContext {
  service: string;
  resource: Attributes;
  scope: InstrumentationScope;
}

/**
 * One item of a request with the context it inherits. `context` is a
 * {@link FieldError} when the resource or scope cannot be read, and then
 * every item under it is rejected with that reason.
 */
export interface ScopedItem {
  value: unknown;
  path: string;
  context: ScopeContext | FieldError;
}

/** Names of the three nesting levels of one signal's request. */
export interface RequestLayout {
  resourceKey: string;
  scopeKey: string;
  itemKey: string;
}

export function emptyBatch<T>(): MappedBatch<T> {
  return { items: [], locations: [], rejected: [] };
}

/** Returns the service of a resource: `service.name`, else `unknown_service`. */
export function serviceOf(resource: Attributes): string {
  return stringAttribute(resource, 'service.name') || UNKNOWN_SERVICE;
}

function readContext(
  resource: Record<string, unknown>,
  scope: Record<string, unknown>,
  resourcePath: string,
  scopePath: string,
): ScopeContext | FieldError {
  try {
    const attributes = readResource(
      resource.resource,
      `${resourcePath}.resource`,
    );
    return {
      service: serviceOf(attributes),
      resource: attributes,
      scope: readScope(scope.scope, `${scopePath}.scope`),
    };
  } catch (error) {
    if (error instanceof FieldError) return error;
    throw error;
  }
}

/**
 * Walks resource, scope and item arrays of a request in its JSON shape.
 * Raises a {@link FieldError} when the nesting itself is malformed (an
 * array that is not one), because then no item can be counted.
 */
export function scopedItems(
  body: unknown,
  layout: RequestLayout,
): ScopedItem[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new FieldError('(root)', 'invalid request: expected a JSON object');
  }
  const request = body as Record<string, unknown>;
  const { resourceKey, scopeKey, itemKey } = layout;
  const out: ScopedItem[] = [];

  readArray(request[resourceKey], resourceKey).forEach((raw, r) => {
    const resourcePath = `${resourceKey}[${r}]`;
    const resource = readObject(raw, resourcePath);
    const scopes = readArray(resource[scopeKey], `${resourcePath}.${scopeKey}`);
    scopes.forEach((rawScope, s) => {
      const scopePath = `${resourcePath}.${scopeKey}[${s}]`;
      const scope = readObject(rawScope, scopePath);
      const items = readArray(scope[itemKey], `${scopePath}.${itemKey}`);
      const context = readContext(resource, scope, resourcePath, scopePath);
      items.forEach((value, i) => {
        out.push({ value, path: `${scopePath}.${itemKey}[${i}]`, context });
      });
    });
  });
  return out;
}

/**
 * Maps one item into `batch`, recording a rejection instead when the item
 * or its context cannot be read.
 */
export function mapInto<T>(
  batch: MappedBatch<T>,
  entry: ScopedItem,
  map: (value: unknown, path: string, context: ScopeContext) => T,
): void {
  if (entry.context instanceof FieldError) {
    batch.rejected.push({
      location: entry.path,
      reason: entry.context.message,
    });
    return;
  }
  try {
    batch.items.push(map(entry.value, entry.path, entry.context));
    batch.locations.push(entry.path);
  } catch (error) {
    if (!(error instanceof FieldError)) throw error;
    batch.rejected.push({ location: entry.path, reason: error.message });
  }
}
