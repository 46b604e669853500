/**
 * Every procedure of a router, found by walking its record, so the tests that must cover all
 * procedures (guards, fuzzing) pick up a new one without anyone editing a list.
 */
import type { AnyTRPCProcedure, TRPCProcedureType, TRPCRouterRecord } from '@trpc/server';

export interface ProcedureEntry {
  /** The dotted path a client calls: `auth.sessions.revoke`. */
  path: string;
  type: TRPCProcedureType;
  procedure: AnyTRPCProcedure;
}

/** The parts of a built router the walk reads (`appRouter` fits, so does any sub-router). */
export interface WalkableRouter {
  _def: { record: TRPCRouterRecord; lazy: Record<string, unknown> };
}

export function listProcedures(router: WalkableRouter): ProcedureEntry[] {
  // A lazy router is not in the record until it loads; a walk would miss it silently.
  const lazy = Object.keys(router._def.lazy);
  if (lazy.length > 0) throw new Error(`listProcedures cannot see lazy routers: ${lazy}`);
  return walk(router._def.record, '');
}

function walk(record: TRPCRouterRecord, prefix: string): ProcedureEntry[] {
  return Object.entries(record).flatMap(([key, value]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    // A built procedure is callable; a nested router's record is a plain object.
    return typeof value === 'function'
      ? [{ path, type: value._def.type, procedure: value }]
      : walk(value, path);
  });
}

/**
 * Calls one procedure over HTTP as its transport wants it (GET with `?input=` for a query,
 * POST with a JSON body otherwise), with `accessToken` as the bearer; for tables of
 * procedures walked from appRouter, whose client calls cannot be typed one by one.
 */
export async function callProcedure(
  fetch: (input: string, init?: RequestInit) => Promise<Response>,
  entry: Pick<ProcedureEntry, 'path' | 'type'>,
  options: { accessToken: string; input: unknown },
): Promise<Response> {
  const url = `http://tollbooth.test/trpc/${entry.path}`;
  const headers = { authorization: `Bearer ${options.accessToken}` };
  const input = JSON.stringify(options.input);
  return entry.type === 'query'
    ? fetch(`${url}?${new URLSearchParams({ input })}`, { headers })
    : fetch(url, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: input,
      });
}
