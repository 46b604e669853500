/**
 * The money invariants after a load, in one call: no balance below zero, every ledger sum
 * equal to its balance, one effect per key, every acknowledged request's key present, and no
 * entry of the load's accounts that the load did not ask for. The answer lists what broke
 * (every list empty when all hold) and counts the checks into the scenario's figures.
 */
import type pg from 'pg';
import type { Figures } from './figures';
import {
  keysWithSeveralEffects,
  ledgerSumMismatches,
  missingKeys,
  negativeBalances,
  unaskedEntries,
  usageMismatches,
} from './invariants';

export async function checkMoney(
  pool: pg.Pool,
  load: { userIds: readonly string[]; sent: readonly string[]; acknowledged: readonly string[] },
  figures: Figures,
) {
  const findings = {
    negativeBalances: await negativeBalances(pool),
    ledgerSumMismatches: await ledgerSumMismatches(pool),
    keysWithSeveralEffects: await keysWithSeveralEffects(pool),
    acknowledgedButMissing: await missingKeys(pool, load.acknowledged),
    entriesNobodyAskedFor: await unaskedEntries(pool, load.userIds, load.sent),
    usageMismatches: await usageMismatches(pool),
  };
  figures.invariants += Object.keys(findings).length;
  return findings;
}

export const NO_FINDINGS = {
  negativeBalances: [],
  ledgerSumMismatches: [],
  keysWithSeveralEffects: [],
  acknowledgedButMissing: [],
  entriesNobodyAskedFor: [],
  usageMismatches: [],
};
