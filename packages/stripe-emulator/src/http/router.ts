// A route table for `/v1/...` paths with `:name` segments. Handlers are two-phase: called with
// the parameters they read and validate, they return the work to do. The API pipeline checks
// for unknown parameters in between, so a request with a typo changes nothing.
import type { Params } from './params.ts';

export type Method = 'GET' | 'POST' | 'DELETE';
export type PathParams = Readonly<Record<string, string>>;
/** The execution phase: mutates state and returns the Stripe object to send. */
export type Run = () => object;
export type Handler = (params: Params, path: PathParams) => Run;

interface Route<H> {
  method: Method;
  segments: string[];
  handler: H;
}

/** `H` is the handler type: API handlers by default, control endpoints use their own. */
export class Router<H = Handler> {
  private readonly routes: Route<H>[] = [];

  get(pattern: string, handler: H): this {
    return this.add('GET', pattern, handler);
  }

  post(pattern: string, handler: H): this {
    return this.add('POST', pattern, handler);
  }

  delete(pattern: string, handler: H): this {
    return this.add('DELETE', pattern, handler);
  }

  add(method: Method, pattern: string, handler: H): this {
    this.routes.push({ method, segments: pattern.split('/').filter(Boolean), handler });
    return this;
  }

  match(method: string, path: string): { handler: H; path: PathParams } | undefined {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    for (const route of this.routes) {
      if (route.method !== method || route.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const matches = route.segments.every((segment, i) => {
        const part = parts[i] ?? '';
        if (segment.startsWith(':')) {
          params[segment.slice(1)] = part;
          return part !== '';
        }
        return segment === part;
      });
      if (matches) return { handler: route.handler, path: params };
    }
    return undefined;
  }
}

/** A path parameter the route pattern guarantees, e.g. `:id`. */
export function pathParam(path: PathParams, name = 'id'): string {
  const value = path[name];
  if (value === undefined) throw new Error(`route has no :${name} segment`);
  return value;
}
