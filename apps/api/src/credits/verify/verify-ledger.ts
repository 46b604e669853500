/**
 * The ledger check behind `pnpm credits:verify` and admin.credits.verify: for every account,
 * the sum of its entries equals its balance, and each entry's balance_after is the previous
 * one's plus its delta. Both hold by construction (ledger.queries.ts); this proves it on the
 * data, e.g. after a restore or a hand-made correction.
 */
import type { Deps } from '../../deps';
import {
  type BalanceMismatch,
  type ChainBreak,
  countLedger,
  findBalanceMismatches,
  findChainBreaks,
} from './verify.queries';

export interface LedgerReport {
  ok: boolean;
  accounts: number;
  entries: number;
  /** The sum of all balances. */
  totalBalance: number;
  balanceMismatches: { count: number; listed: BalanceMismatch[] };
  chainBreaks: { count: number; listed: ChainBreak[] };
}

export async function verifyLedger(deps: Pick<Deps, 'db'>): Promise<LedgerReport> {
  // One snapshot, so entries committed during the check cannot look like a mismatch.
  return deps.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const totals = await countLedger(trx);
      const balanceMismatches = await findBalanceMismatches(trx);
      const chainBreaks = await findChainBreaks(trx);
      return {
        ok: balanceMismatches.count === 0 && chainBreaks.count === 0,
        accounts: totals.accounts,
        entries: totals.entries,
        totalBalance: totals.total,
        balanceMismatches,
        chainBreaks,
      };
    });
}

/** The report as the script prints it: one summary line, then one line per finding. */
export function formatLedgerReport(report: LedgerReport): string[] {
  const summary = `${report.accounts} accounts, ${report.entries} ledger entries, ${report.totalBalance} credits in balances`;
  if (report.ok) {
    return [
      `credits:verify OK: ${summary}; every ledger sum equals its balance and every balance_after chains`,
    ];
  }
  return [
    `credits:verify FAILED: ${summary}; ${report.balanceMismatches.count} balance mismatches, ${report.chainBreaks.count} chain breaks`,
    ...report.balanceMismatches.listed.map(
      (m) =>
        `balance mismatch: user ${m.userId} has balance ${m.balance}, ledger sum ${m.ledgerSum}`,
    ),
    ...report.chainBreaks.listed.map(
      (b) =>
        `chain break: user ${b.userId} entry ${b.entryId} has balance_after ${b.balanceAfter}, expected ${b.expected}`,
    ),
  ];
}
