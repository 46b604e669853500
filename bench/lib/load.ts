import autocannon from 'autocannon';

export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Makes each request's body and extra headers (distinct signed webhook events). */
  next?: () => { body: string; headers: Record<string, string> };
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** PERFORMANCE.md's load shape: autocannon, 50 connections, on the same machine. */
export const CONNECTIONS = 50;

export async function runLoad(
  baseUrl: string,
  spec: RequestSpec,
  durationSeconds: number,
  connections = CONNECTIONS,
): Promise<LoadResult> {
  const result = await autocannon({
    url: `${baseUrl}${spec.path}`,
    method: spec.method,
    headers: spec.headers,
    body: spec.body,
    ...(spec.next && {
      requests: [
        {
          setupRequest: (request: autocannon.Request) => {
            const generated = spec.next?.();
            if (!generated) return request;
            return {
              ...request,
              body: generated.body,
              headers: { ...request.headers, ...generated.headers },
            };
          },
        },
      ],
    }),
    connections,
    duration: durationSeconds,
  });
  const failures = result.non2xx + result.errors + result.timeouts;
  if (failures > 0) {
    throw new Error(
      `${spec.method} ${spec.path}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts; a figure with failures is not a figure`,
    );
  }
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  const lower = sorted[middle - 1] ?? upper;
  return sorted.length % 2 === 0 ? (lower + upper) / 2 : upper;
}
