import {
  MethodNotAllowedError,
  NotFoundError,
  ValidationError,
} from '../errors.js';
import { ROUTES, type Route } from '../routes.js';

export interface RouteMatch {
  route: Route;
  /** Path parameters, URL-decoded. */
  params: Record<string, string>;
}

interface CompiledRoute {
  route: Route;
  segments: string[];
  literalCount: number;
}

const compiled: CompiledRoute[] = ROUTES.map((route) => {
  const segments = route.path.split('/').filter(Boolean);
  const literalCount = segments.filter((s) => !s.startsWith('{')).length;
  return { route, segments, literalCount };
});

/**
 * URL-decodes a path parameter, raising a 400 for a broken escape such as
 * `%E0%A4` (a cut UTF-8 sequence), which decodeURIComponent rejects.
 */
function decodeSegment(name: string, value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    const message =
      'is not valid percent-encoded UTF-8; encode the value with ' +
      'encodeURIComponent';
    throw new ValidationError(`invalid path parameter ${name}: ${message}`, [
      { path: name, message },
    ]);
  }
}

function matchSegments(
  template: string[],
  actual: string[],
): Record<string, string> | undefined {
  if (template.length !== actual.length) return undefined;

  const params: Record<string, string> = {};
  for (const [index, part] of template.entries()) {
    const value = actual[index] ?? '';
    if (part.startsWith('{')) {
      params[part.slice(1, -1)] = decodeSegment(part.slice(1, -1), value);
    } else if (part !== value) {
      return undefined;
    }
  }
  return params;
}

/**
 * Finds the route for a request the way API Gateway does: the route with
 * the most literal segments wins over one with parameters. Raises 404 when
 * no path matches and 405 when the path matches under another method.
 */
export function matchRoute(method: string, path: string): RouteMatch {
  const actual = path.split('/').filter(Boolean);
  const candidates = compiled
    .map((entry) => ({ entry, params: matchSegments(entry.segments, actual) }))
    .filter((candidate) => candidate.params !== undefined)
    .sort((a, b) => b.entry.literalCount - a.entry.literalCount);

  if (candidates.length === 0) {
    throw new NotFoundError(`no route matches ${path}`);
  }

  const hit = candidates.find((c) => c.entry.route.method === method);
  if (!hit?.params) {
    const allowed = [...new Set(candidates.map((c) => c.entry.route.method))];
    throw new MethodNotAllowedError(method, path, allowed);
  }
  return { route: hit.entry.route, params: hit.params };
}
