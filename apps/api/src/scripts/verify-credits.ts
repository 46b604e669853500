/**
 * `pnpm credits:verify`: checks every account's ledger against its balance (credits/verify)
 * and exits 1 on any mismatch, 0 when all hold. Uses DATABASE_URL, or outside production the
 * dev cluster under .data/postgres. admin.credits.verify runs the same check.
 */

import { parseConfig } from '../config';
import { formatLedgerReport, verifyLedger } from '../credits/verify/verify-ledger';
import { createDeps } from '../deps';
import { openScriptDatabase } from './script-database';

const parsed = parseConfig(process.env);
const database = await openScriptDatabase(parsed);
const config = { ...parsed, databaseUrl: database.databaseUrl };
const { deps, close } = createDeps(config);
try {
  const report = await verifyLedger(deps);
  const [summary, ...findings] = formatLedgerReport(report);
  if (report.ok) console.log(summary);
  else for (const line of [summary, ...findings]) console.error(line);
  process.exitCode = report.ok ? 0 : 1;
} finally {
  await close();
  await database.stop();
}
