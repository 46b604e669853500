/**
 * The load: many money requests (each with its idempotency key) from a bounded number of
 * concurrent clients spread over the API processes. A request that gets no answer (refused
 * connection, reset, deadline) or a 503 is retried with the same key on the next process, as
 * a client behind a load balancer would; every attempt is counted. What the caller gets back
 * per key is the final answer, which is what the invariants compare the database against.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { callProcedure, inParallel, type Outcome } from './client';

export interface MoneyRequest {
  key: string;
  procedure: 'credits.debit' | 'usage.record';
  input: Record<string, unknown>;
  /** Send it twice at once, one copy to each of two processes: a retry racing the original. */
  twice?: boolean;
}

export type Final =
  | { kind: 'ok'; data: unknown }
  /** A refusal the API decided (402 INSUFFICIENT_CREDITS, 429 quota, …): no effect. */
  | { kind: 'refused'; status: number; appCode: string | undefined }
  /** Never answered, after every retry. */
  | { kind: 'lost'; last: Outcome };

export interface LoadReport {
  finals: Map<string, Final[]>;
  attempts: number;
  retries: number;
  /** Attempts that got no answer or a 503, by kind (network, timeout, 503). */
  failedAttempts: Record<string, number>;
}

export interface LoadOptions {
  apiUrls: () => readonly string[];
  token: string;
  /** Concurrent clients in total, spread evenly over the processes. */
  clients: number;
  timeoutMs: number;
  /** Attempts per request before it counts as lost. */
  maxAttempts?: number;
  /** Called with each attempt's number as it is sent, once per number (to time a fault). */
  onAttempt?: (attempts: number) => void;
}

/** No answer, or the documented outage answer: worth another attempt with the same key. */
function retryable(outcome: Outcome): boolean {
  return outcome.kind !== 'answer' || outcome.status === 503;
}

export async function runMoneyLoad(
  requests: readonly MoneyRequest[],
  options: LoadOptions,
): Promise<LoadReport> {
  const finals = new Map<string, Final[]>();
  let attempts = 0;
  let retries = 0;
  const failedAttempts: Record<string, number> = {};
  const maxAttempts = options.maxAttempts ?? 30;

  const sendOnce = async (request: MoneyRequest, firstApi: number): Promise<Final> => {
    let last: Outcome | undefined;
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const urls = options.apiUrls();
      const url = urls[(firstApi + attempt) % urls.length];
      if (url === undefined) throw new Error('no API process to send to');
      if (attempt > 0) {
        retries += 1;
        // A short pause: a dead process's port refuses at once, a retry storm helps nobody.
        await sleep(Math.min(20 * attempt, 200));
      }
      attempts += 1;
      // This attempt's own number: `attempts` moves on while it is in flight.
      options.onAttempt?.(attempts);
      last = await callProcedure(url, request.procedure, {
        mutation: true,
        token: options.token,
        input: request.input,
        timeoutMs: options.timeoutMs,
      });
      if (retryable(last)) {
        const kind = last.kind === 'answer' ? String(last.status) : last.kind;
        failedAttempts[kind] = (failedAttempts[kind] ?? 0) + 1;
        continue;
      }
      if (last.kind === 'answer' && last.status === 200) return { kind: 'ok', data: last.data };
      if (last.kind === 'answer') {
        return { kind: 'refused', status: last.status, appCode: last.appCode };
      }
    }
    return { kind: 'lost', last: last ?? { kind: 'timeout', ms: 0 } };
  };

  await inParallel(requests, options.clients, async (request, lane) => {
    const sent = request.twice
      ? await Promise.all([sendOnce(request, lane), sendOnce(request, lane + 1)])
      : [await sendOnce(request, lane)];
    finals.set(request.key, sent);
  });
  return { finals, attempts, retries, failedAttempts };
}

/** The keys whose every answer was `ok`, and a summary of the rest. */
export function summarize(report: LoadReport) {
  const acknowledged: string[] = [];
  const refused: string[] = [];
  const lost: string[] = [];
  const refusals = new Map<string, number>();
  for (const [key, answers] of report.finals) {
    if (answers.some((answer) => answer.kind === 'lost')) lost.push(key);
    else if (answers.every((answer) => answer.kind === 'ok')) acknowledged.push(key);
    else {
      refused.push(key);
      for (const answer of answers) {
        if (answer.kind === 'refused') {
          const label = `${answer.status} ${answer.appCode ?? ''}`;
          refusals.set(label, (refusals.get(label) ?? 0) + 1);
        }
      }
    }
  }
  return { acknowledged, refused, lost, refusals: Object.fromEntries(refusals) };
}
