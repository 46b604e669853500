/**
 * `pnpm db:seed`: applies the default plan catalog (billing/catalog/default-catalog.ts) and
 * the default credit packs (credits/packs/default-packs.ts) to a
 * migrated database and queues the Stripe syncs, which the worker (`pnpm worker`, or the API
 * in dev) then runs. Idempotent: run it as often as you like. Uses DATABASE_URL, or outside
 * production the dev cluster under .data/postgres.
 */

import { createDb } from '@tollbooth/db';
import { seedDefaultCatalog } from '../billing/catalog/default-catalog';
import { parseConfigOrExit } from '../config';
import { seedDefaultPacks } from '../credits/packs/default-packs';
import { installJobQueue } from '../jobs/worker';
import { createLogger } from '../lib/logger';
import { seedOperationTypes } from '../usage/operation-types';
import { openScriptDatabase } from './script-database';

const parsed = parseConfigOrExit(process.env);
const database = await openScriptDatabase(parsed);
const { databaseUrl } = database;
const handle = createDb({ connectionString: databaseUrl, max: 2 });
try {
  // The syncs go through the job queue, whose schema may not exist yet on a fresh database.
  await installJobQueue(handle.pool, createLogger({ level: 'warn' }));
  const result = await seedDefaultCatalog(handle.db, { stripeConfigured: Boolean(parsed.stripe) });
  console.log(
    `catalog: ${result.inserted.length ? `added ${result.inserted.join(', ')}` : 'every default plan exists already'}; ` +
      (parsed.stripe
        ? `${result.queuedSyncs} Stripe sync(s) queued`
        : 'STRIPE_SECRET_KEY is not set, so nothing was queued for Stripe (run again with it set)'),
  );
  const packs = await seedDefaultPacks(handle.db, { stripeConfigured: Boolean(parsed.stripe) });
  console.log(
    `credit packs: ${packs.inserted.length ? `added ${packs.inserted.join(', ')}` : 'every default pack exists already'}` +
      (parsed.stripe ? `; ${packs.queuedSyncs} Stripe sync(s) queued` : ''),
  );
  const operations = await seedOperationTypes(handle.db);
  console.log(
    `operation types: ${operations.length ? `added ${operations.join(', ')}` : 'every default type exists already'}`,
  );
} finally {
  await handle.close();
  await database.stop();
}
