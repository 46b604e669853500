import type { Database, User } from '@tollbooth/db';
import type { Kysely } from 'kysely';
import type { Config } from '../config';
import { normalizeEmail } from '../lib/email';
import { findUserByEmail, insertUser, updateUser } from './users.queries';

type Db = Kysely<Database>;

/** ADMIN_EMAILS decides the first admins: such an account is promoted when it signs in. */
export async function applyAdminEmails(db: Db, config: Config, user: User): Promise<User> {
  if (user.role === 'admin' || !config.adminEmails.includes(normalizeEmail(user.email))) {
    return user;
  }
  return (await updateUser(db, user.id, { role: 'admin' })) ?? user;
}

export function initialRole(config: Config, email: string): 'user' | 'admin' {
  return config.adminEmails.includes(normalizeEmail(email)) ? 'admin' : 'user';
}

/**
 * The account for an address whose ownership was just proven (code, link, OAuth verified
 * email, NextAuth): found, or created verified without a password. A found account that was
 * not yet verified becomes verified. `created` says which.
 */
export async function findOrCreateVerifiedUser(
  db: Db,
  config: Config,
  args: { email: string; name?: string | null; imageUrl?: string | null; now: Date },
): Promise<{ user: User; created: boolean }> {
  const existing = await findUserByEmail(db, args.email);
  if (existing) {
    const verified = existing.email_verified_at
      ? existing
      : ((await updateUser(db, existing.id, { email_verified_at: args.now })) ?? existing);
    return { user: await applyAdminEmails(db, config, verified), created: false };
  }
  const inserted = await insertUser(db, {
    email: args.email,
    name: args.name ?? null,
    image_url: args.imageUrl ?? null,
    email_verified_at: args.now,
    role: initialRole(config, args.email),
  });
  if (inserted) return { user: inserted, created: true };
  // Lost a race with a concurrent sign-up of the same address: use theirs.
  const raced = await findUserByEmail(db, args.email);
  if (!raced) throw new Error('user vanished after a conflicting insert');
  return { user: raced, created: false };
}
