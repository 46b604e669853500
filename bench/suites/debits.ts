/**
 * Money under load: `credits.debit` and `usage.record` through the API with a server key, on
 * one hot account and spread over 1,000 accounts, with one and two API processes (50
 * connections, each request its own idempotency key), beside the debit's SQL transaction run
 * by pgbench (or a tight pg loop) at the same concurrency. The debit figures run twice: on
 * processes with group commit (the default) and on processes started with
 * CREDITS_GROUP_COMMIT=false, so the same run says what coalescing buys. Afterwards the ledger
 * check: every balance equals its ledger's sum. Targets (the issue): hot ≥ 1.0× the baseline,
 * spread ≥ 0.7×.
 */
import { randomBytes } from 'node:crypto';
import { type DebitShape, debitBaseline, findPgbench } from '../lib/debit-baseline';
import { BENCH_OPERATION, type LedgerAccounts, setupLedgerAccounts } from '../lib/ledger-accounts';
import { checkLedger } from '../lib/ledger-check';
import { CONNECTIONS, type LoadResult, type RequestSpec, runLoad } from '../lib/load';
import type { ServerProcess } from '../lib/processes';
import { serverWireRequest } from '../lib/sdk-wire';
import type { Figure, Ratio, SuiteDefinition } from '../lib/suite';

const TARGETS: Record<DebitShape, number> = { hot: 1.0, spread: 0.7 };
const SHAPES: DebitShape[] = ['hot', 'spread'];
type Operation = 'debit' | 'usage';

let counter = 0;

/** Each request the captured SDK call with a fresh key (and, spread, a random account). */
async function requests(
  api: ServerProcess,
  accounts: LedgerAccounts,
  operation: Operation,
  shape: DebitShape,
): Promise<RequestSpec> {
  const captureKey = `bench-capture-${randomBytes(8).toString('hex')}`;
  const spec = await serverWireRequest(api.url, accounts.apiKey, (client) =>
    operation === 'debit'
      ? client.credits.debit.mutate({ userId: accounts.hot, amount: 1, idempotencyKey: captureKey })
      : client.usage.record.mutate({
          userId: accounts.hot,
          operation: BENCH_OPERATION,
          idempotencyKey: captureKey,
        }),
  );
  const body = spec.body;
  if (!body?.includes(captureKey)) throw new Error(`the ${operation} request carries no key`);
  const run = randomBytes(4).toString('hex');
  return {
    ...spec,
    body: undefined,
    next() {
      counter += 1;
      const account =
        shape === 'hot'
          ? accounts.hot
          : (accounts.spread[Math.floor(Math.random() * accounts.spread.length)] ?? accounts.hot);
      return {
        body: body.replace(captureKey, `bench-${run}-${counter}`).replace(accounts.hot, account),
        headers: {},
      };
    },
  };
}

/** 50 connections split evenly over the processes, loaded at once; req/s summed. */
async function loadAcross(
  processes: ServerProcess[],
  spec: RequestSpec,
  seconds: number,
): Promise<LoadResult> {
  const share = Math.floor(CONNECTIONS / processes.length);
  const results = await Promise.all(
    processes.map((server) => runLoad(server.url, spec, seconds, share)),
  );
  return {
    requestsPerSecond: results.reduce((sum, r) => sum + r.requestsPerSecond, 0),
    p50Ms: Math.max(...results.map((r) => r.p50Ms)),
    p99Ms: Math.max(...results.map((r) => r.p99Ms)),
  };
}

/** Two processes, group commit on (the default) or off (CREDITS_GROUP_COMMIT=false). */
interface ApiPair {
  tag: string;
  idSuffix: string;
  processes: [ServerProcess, ServerProcess];
}

function processLabel(count: number): string {
  return count > 1 ? `${count} processes` : '1 process';
}

export const debits: SuiteDefinition = {
  name: 'debits',
  async setup({ api, databaseUrl, repoRoot, startApi }) {
    const accounts = await setupLedgerAccounts(api.url, databaseUrl);
    const grouped: ApiPair = {
      tag: 'group commit',
      idSuffix: '',
      processes: [api, await startApi('api-debits-2')],
    };
    const off = { CREDITS_GROUP_COMMIT: 'false' };
    const single: ApiPair = {
      tag: 'one transaction each',
      idSuffix: '.single',
      processes: [await startApi('api-debits-off-1', off), await startApi('api-debits-off-2', off)],
    };
    const pgbench = await findPgbench();
    const baselineLabel = pgbench ? 'pgbench' : 'pg loop';
    const figures: Figure[] = [];
    const ratios: Ratio[] = [];
    for (const shape of SHAPES) {
      const baselineId = `baseline.debit.${shape}`;
      figures.push({
        id: baselineId,
        label: `${baselineLabel}: debit SQL, ${shape}`,
        measure: debitBaseline(pgbench, databaseUrl, shape),
      });
      for (const operation of ['debit', 'usage'] as const) {
        const spec = await requests(api, accounts, operation, shape);
        // usage.record does not group: it runs on the default processes only.
        const pairs = operation === 'debit' ? [grouped, single] : [grouped];
        for (const pair of pairs) {
          for (const count of [1, 2]) {
            const processes = pair.processes.slice(0, count);
            const id = `${operation}.${shape}.${count}p${pair.idSuffix}`;
            const name = operation === 'debit' ? 'credits.debit' : 'usage.record';
            figures.push({
              id,
              label: `${name} ${shape}, ${processLabel(count)}${operation === 'debit' ? `, ${pair.tag}` : ''}`,
              measure: (seconds) => loadAcross(processes, spec, seconds),
            });
            ratios.push({
              label: `${id} / ${baselineLabel} ${shape}`,
              numerator: id,
              denominator: baselineId,
              ...(operation === 'debit' && pair === grouped && { target: TARGETS[shape] }),
            });
            if (pair === single) {
              ratios.push({
                label: `debit ${shape} ${count}p: group commit / one transaction each`,
                numerator: `${operation}.${shape}.${count}p`,
                denominator: id,
              });
            }
          }
        }
      }
    }
    return {
      figures,
      ratios,
      async after() {
        const ledgerCheck = await checkLedger(repoRoot, databaseUrl);
        console.log(
          `ledger check: ${ledgerCheck.rows} rows over ${ledgerCheck.accounts} accounts, ${ledgerCheck.mismatchedAccounts} balances ≠ ledger sum, ${ledgerCheck.chainBreaks} chain breaks — ${ledgerCheck.allEqual ? 'all equal' : 'MISMATCH'}; ${ledgerCheck.verify}`,
        );
        if (!ledgerCheck.allEqual) throw new Error('the ledger does not add up after the bench');
        return { ledgerCheck };
      },
    };
  },
};
