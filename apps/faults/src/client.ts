/**
 * The bounded client: one tRPC call over the wire format (unbatched, so each answer keeps its
 * own status), with a deadline, classified as the load loop needs it. A refused or reset
 * connection and a deadline passed are outcomes, not exceptions: under kill -9 and a database
 * restart they are the expected answers, and the caller decides whether to retry.
 */

export type Outcome =
  /** The server answered (any status). */
  | { kind: 'answer'; status: number; appCode: string | undefined; data: unknown; ms: number }
  /** No answer: the connection was refused or broke (a dead process). */
  | { kind: 'network'; message: string; ms: number }
  /** No answer within the deadline. */
  | { kind: 'timeout'; ms: number };

export interface CallOptions {
  input?: unknown;
  token?: string;
  mutation?: boolean;
  timeoutMs: number;
}

function appCodeOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const match = JSON.stringify(body.error).match(/"appCode":"([A-Z_]+)"/);
  return match?.[1];
}

function dataOf(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || !('result' in body)) return undefined;
  const result = body.result;
  return typeof result === 'object' && result !== null && 'data' in result
    ? result.data
    : undefined;
}

/** GET/POST `baseUrl/trpc/<name>`: the answer, or why there was none. */
export async function callProcedure(
  baseUrl: string,
  name: string,
  options: CallOptions,
): Promise<Outcome> {
  const headers: Record<string, string> = options.token
    ? { authorization: `Bearer ${options.token}` }
    : {};
  const query =
    !options.mutation && options.input !== undefined
      ? `?input=${encodeURIComponent(JSON.stringify(options.input))}`
      : '';
  const init: RequestInit = options.mutation
    ? {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(options.input ?? null),
      }
    : { headers };
  return send(`${baseUrl}/trpc/${name}${query}`, init, options.timeoutMs, (text) => {
    const body: unknown = text ? JSON.parse(text) : null;
    return { appCode: appCodeOf(body), data: dataOf(body) };
  });
}

/** A plain HTTP request with the same deadline and classification. */
export function callRoute(url: string, init: RequestInit, timeoutMs: number): Promise<Outcome> {
  return send(url, init, timeoutMs, (text) => {
    const body: unknown = text ? safeJson(text) : null;
    return { appCode: appCodeOf(body), data: body };
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function send(
  url: string,
  init: RequestInit,
  timeoutMs: number,
  read: (text: string) => { appCode: string | undefined; data: unknown },
): Promise<Outcome> {
  const started = performance.now();
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, { ...init, signal });
    const text = await response.text();
    return {
      kind: 'answer',
      status: response.status,
      ...read(text),
      ms: performance.now() - started,
    };
  } catch (error) {
    const ms = performance.now() - started;
    if (signal.aborted) return { kind: 'timeout', ms };
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    return { kind: 'network', message: cause instanceof Error ? cause.message : String(cause), ms };
  }
}

/** Runs `work` over `items` with at most `concurrency` at once; resolves when all are done. */
export async function inParallel<Item>(
  items: readonly Item[],
  concurrency: number,
  work: (item: Item, lane: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async (_, lane) => {
    while (next < items.length) {
      const index = next++;
      const item = items[index];
      if (item !== undefined) await work(item, lane);
    }
  });
  await Promise.all(lanes);
}
