/**
 * The baseline a debit through the API is compared with: the debit's SQL alone — BEGIN; the
 * guarded UPDATE … WHERE balance >= amount RETURNING balance; the ledger INSERT with a fresh
 * idempotency key; COMMIT — at the API figures' concurrency (50 clients), on the same durable
 * database. Run by `pgbench` when it is on the PATH (custom script, per-transaction log for
 * the percentiles), else by a tight `pg` loop of 50 clients doing the same statements.
 * BENCH_DEBIT_BASELINE=pg forces the loop.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { accountId, accountIdSql, SPREAD_ACCOUNTS } from './ledger-accounts';
import { CONNECTIONS, type LoadResult } from './load';

const run = promisify(execFile);

export type DebitShape = 'hot' | 'spread';

export async function findPgbench(): Promise<string | null> {
  if (process.env.BENCH_DEBIT_BASELINE === 'pg') return null;
  try {
    const { stdout } = await run('sh', ['-c', 'command -v pgbench']);
    return stdout.trim() || null;
  } catch {
    return null;
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

function toResult(count: number, seconds: number, latenciesMs: number[]): LoadResult {
  const sorted = latenciesMs.sort((a, b) => a - b);
  return {
    requestsPerSecond: count / seconds,
    p50Ms: Math.round(percentile(sorted, 0.5)),
    p99Ms: Math.round(percentile(sorted, 0.99)),
  };
}

function pgbenchScript(shape: DebitShape): string {
  const account = shape === 'hot' ? `'${accountId(0)}'::uuid` : accountIdSql('n');
  return [
    ...(shape === 'spread' ? [`\\set n random(1, ${SPREAD_ACCOUNTS})`] : []),
    'BEGIN;',
    `UPDATE credit_balances SET balance = balance - 1, updated_at = now() WHERE user_id = ${account} AND balance >= 1 RETURNING balance \\gset`,
    `INSERT INTO credit_ledger (user_id, kind, delta, balance_after, idempotency_key) VALUES (${account}, 'debit', -1, :balance, 'pgbench-' || gen_random_uuid());`,
    'COMMIT;',
    '',
  ].join('\n');
}

async function runPgbench(
  pgbench: string,
  databaseUrl: string,
  shape: DebitShape,
  seconds: number,
): Promise<LoadResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-pgbench-'));
  try {
    const script = path.join(dir, 'debit.sql');
    await writeFile(script, pgbenchScript(shape));
    const { stdout } = await run(
      pgbench,
      [
        '--no-vacuum',
        `--client=${CONNECTIONS}`,
        `--jobs=${os.cpus().length}`,
        `--time=${seconds}`,
        `--file=${script}`,
        '--log',
        `--log-prefix=${path.join(dir, 'tx')}`,
        databaseUrl,
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    const failed = /number of failed transactions: (\d+)/.exec(stdout);
    if (failed && Number(failed[1]) > 0)
      throw new Error(`pgbench: ${failed[1]} failed transactions`);
    // Per-transaction log lines: client_id transaction_no latency_us script_no epoch epoch_us.
    const latencies: number[] = [];
    for (const file of await readdir(dir)) {
      if (!file.startsWith('tx')) continue;
      for (const line of (await readFile(path.join(dir, file), 'utf8')).split('\n')) {
        const latencyUs = Number(line.split(' ')[2]);
        if (Number.isFinite(latencyUs) && line) latencies.push(latencyUs / 1000);
      }
    }
    return toResult(latencies.length, seconds, latencies);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The same transaction from 50 `pg` clients in a tight loop for `seconds`. */
async function runPgLoop(databaseUrl: string, shape: DebitShape, seconds: number) {
  const clients = await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      return client;
    }),
  );
  const latencies: number[] = [];
  const deadline = Date.now() + seconds * 1000;
  try {
    await Promise.all(
      clients.map(async (client) => {
        while (Date.now() < deadline) {
          const userId =
            shape === 'hot'
              ? accountId(0)
              : accountId(1 + Math.floor(Math.random() * SPREAD_ACCOUNTS));
          const started = performance.now();
          await client.query('BEGIN');
          const { rows } = await client.query<{ balance: number }>(
            'UPDATE credit_balances SET balance = balance - 1, updated_at = now() WHERE user_id = $1 AND balance >= 1 RETURNING balance',
            [userId],
          );
          await client.query(
            `INSERT INTO credit_ledger (user_id, kind, delta, balance_after, idempotency_key) VALUES ($1, 'debit', -1, $2, $3)`,
            [userId, rows[0]?.balance, `pgloop-${randomUUID()}`],
          );
          await client.query('COMMIT');
          latencies.push(performance.now() - started);
        }
      }),
    );
  } finally {
    await Promise.all(clients.map((client) => client.end()));
  }
  return toResult(latencies.length, seconds, latencies);
}

export function debitBaseline(
  pgbench: string | null,
  databaseUrl: string,
  shape: DebitShape,
): (seconds: number) => Promise<LoadResult> {
  return (seconds) =>
    pgbench
      ? runPgbench(pgbench, databaseUrl, shape, seconds)
      : runPgLoop(databaseUrl, shape, seconds);
}
