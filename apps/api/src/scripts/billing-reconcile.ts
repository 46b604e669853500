/**
 * `pnpm billing:reconcile` (production: `node apps/api/dist/billing-reconcile.js`): one
 * reconciliation run now, as the worker's hourly cron does it (billing/reconcile/reconcile.ts):
 * Stripe events we never received are applied, stored ones left unapplied are applied, and
 * subscriptions past their period are re-read. Prints what it did as one JSON line. Uses
 * DATABASE_URL, or outside production the dev cluster under .data/postgres.
 */

import { reconcileBilling } from '../billing/reconcile/reconcile';
import { parseConfigOrExit } from '../config';
import { createDeps } from '../deps';
import { createLogger } from '../lib/logger';
import { openScriptDatabase } from './script-database';

const parsed = parseConfigOrExit(process.env);
if (!parsed.stripe) {
  console.error('STRIPE_SECRET_KEY is not set: billing is off, there is nothing to reconcile');
  process.exit(1);
}
const database = await openScriptDatabase(parsed);
const { databaseUrl } = database;
const { deps, close } = createDeps(
  { ...parsed, databaseUrl },
  { logger: createLogger({ level: parsed.logLevel === 'info' ? 'warn' : parsed.logLevel }) },
);
try {
  const report = await reconcileBilling(deps);
  console.log(`billing reconciliation: ${JSON.stringify(report)}`);
} finally {
  await close();
  await database.stop();
}
