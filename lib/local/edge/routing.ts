/** The route table compiled to patterns, and a request's route and path parameters, as API Gateway resolves them. */
import type { Route } from '../../routes';
import { EdgeRefusal } from './errors';

export interface CompiledRoute {
  route: Route;
  pattern: RegExp;
  params: string[];
}

export const compile = (route: Route): CompiledRoute => {
  const params: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const m = /^\{(\w+)\}$/.exec(segment);
      if (!m) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      params.push(m[1]);
      return '([^/]+)';
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}/?$`), params };
};

/** The route a request names; throws an EdgeRefusal (400, 404) when it names none. */
export function matchRoute(compiled: CompiledRoute[], method: string | undefined, url: URL): CompiledRoute {
  let pathname: string;
  try {
    pathname = decodeURI(url.pathname);
  } catch {
    throw new EdgeRefusal(400, 'VALIDATION_ERROR', 'The URL is not validly percent-encoded');
  }
  const candidates = compiled.filter((c) => c.pattern.test(url.pathname));
  const match = candidates.find((c) => c.route.method === method);
  if (!match) throw new EdgeRefusal(404, 'NOT_FOUND', `No route for ${method} ${pathname}`);
  return match;
}

export function pathParametersOf(match: CompiledRoute, url: URL): Record<string, string> {
  const pathParameters: Record<string, string> = {};
  const values = match.pattern.exec(url.pathname)!.slice(1);
  try {
    match.params.forEach((name, i) => (pathParameters[name] = decodeURIComponent(values[i])));
  } catch {
    throw new EdgeRefusal(400, 'VALIDATION_ERROR', 'A path parameter is not validly percent-encoded');
  }
  return pathParameters;
}

/** The methods of the routes at a request's path (what a preflight may be told), in table order. */
export const methodsAt = (compiled: CompiledRoute[], url: URL): string[] => [
  ...new Set(compiled.filter((c) => c.pattern.test(url.pathname)).map((c) => c.route.method)),
];
