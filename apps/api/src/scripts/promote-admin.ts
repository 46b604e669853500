/**
 * `pnpm admin:promote <email>`: makes an existing account an admin (the first admin, or any
 * later one, without touching SQL). ADMIN_EMAILS does the same at sign-in. Uses
 * DATABASE_URL, or outside production the dev cluster under .data/postgres.
 */

import { recordAuditEvent } from '../audit/audit';
import { setUserRole } from '../auth/users.queries';
import { parseConfig } from '../config';
import { createDeps } from '../deps';
import { openScriptDatabase } from './script-database';

const email = process.argv[2];
if (!email) {
  console.error('usage: pnpm admin:promote <email>');
  process.exit(2);
}

const parsed = parseConfig(process.env);
const database = await openScriptDatabase(parsed);
const config = { ...parsed, databaseUrl: database.databaseUrl };
const { deps, close } = createDeps(config);
try {
  const promoted = await setUserRole(deps.db, email, 'admin');
  if (!promoted) {
    console.error(`No account with the email ${email}`);
    process.exitCode = 1;
  } else {
    await recordAuditEvent(deps.db, {
      event: 'auth.role_changed',
      status: 'success',
      meta: { requestId: 'cli', ip: null, userAgent: 'admin:promote' },
      metadata: { email, role: 'admin' },
    });
    console.log(`${email} is now an admin`);
  }
} finally {
  await close();
  await database.stop();
}
