/**
 * What an event handler works with: the transaction the event row was stored in, a Stripe
 * client to re-read the object, and the side-effect helpers (audit, mail, access.changed).
 *
 * Rules every handler follows:
 * - never trust the body beyond ids: re-read the object (`readStripe`), so a late, duplicated
 *   or reordered event applies Stripe's current state and everything converges; the one
 *   exception is a snapshot a per-object watermark proves safe (snapshot.ts, currentObject);
 * - lock before reading, so of two concurrent applications the later read is the one written
 *   last: everything about a customer (subscriptions, invoices, the account link) under the
 *   customer's lock (`lockCustomer`, keyed by the customer the body names and checked against
 *   the fresh read), other objects under their own (`lockObject`). One lock per customer, taken
 *   first, is also what keeps two events of one customer from deadlocking each other;
 * - call `touchUser` before changing anything a user's access depends on: their access is
 *   snapshotted then and compared when the event is done (`access.changed`);
 * - a body or object we cannot use throws `EventRejected` (stored `failed`, answered 200);
 *   anything else (database, network, Stripe 5xx) throws as is: rolled back, answered 500,
 *   retried by Stripe.
 */
import type { Database } from '@tollbooth/db';
import { type Kysely, sql } from 'kysely';
import Stripe from 'stripe';
import type { z } from 'zod';
import type { AuditEvent } from '../../audit/audit';
import type { Deps } from '../../deps';
import type { BillingMail } from '../mail/billing-mail';

/** The body is one Stripe would not send, or names an object Stripe does not have. */
export class EventRejected extends Error {
  override name = 'EventRejected';
}

/** Stripe answered 404 for the object the event is about. */
export class ObjectMissing extends EventRejected {
  override name = 'ObjectMissing';
}

export type ApplyDeps = Pick<Deps, 'config' | 'clock' | 'logger'>;

export interface EventEnvelope {
  id: string;
  type: string;
  created: number;
  /** data.object, unchecked: each handler parses what it needs. */
  object: unknown;
}

export interface ApplyContext {
  trx: Kysely<Database>;
  deps: ApplyDeps;
  stripe: Stripe;
  event: EventEnvelope;
  source: 'webhook' | 'reconcile';
  touchUser(userId: string): Promise<void>;
  audit(
    event: AuditEvent,
    userId: string | null,
    metadata: Record<string, string | number | boolean | null>,
  ): Promise<void>;
  mail(userId: string, mail: BillingMail): Promise<void>;
}

export type HandlerResult = { status: 'applied' } | { status: 'ignored'; reason: string };

export type EventHandler = (ctx: ApplyContext) => Promise<HandlerResult>;

/**
 * A handler's outcome when it can prove that the event changes nothing but a watermark's
 * time (snapshot.ts, heldSnapshot: one atomic statement): run outside any transaction and
 * without locks, so such an event costs no lock wait and no BEGIN/COMMIT. Undefined: apply
 * it with the handler, in a transaction.
 */
export type LockFreeOutcome = (view: {
  db: Kysely<Database>;
  event: EventEnvelope;
}) => Promise<HandlerResult | undefined>;

export const applied: HandlerResult = { status: 'applied' };
export const ignored = (reason: string): HandlerResult => ({ status: 'ignored', reason });

/** Parses with zod; a mismatch rejects the event, naming the first bad field. */
export function parseOrReject<T extends z.ZodType>(schema: T, value: unknown, what: string) {
  const result = schema.safeParse(value);
  if (result.success) return result.data as z.output<T>;
  const issue = result.error.issues[0];
  const path = issue?.path.length ? issue.path.join('.') : '(root)';
  throw new EventRejected(`${what}: ${path} ${issue?.message ?? 'is invalid'}`);
}

/** Serialises work on one Stripe object until the transaction ends (re-entrant). */
export async function lockObject(trx: Kysely<Database>, key: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
}

export async function lockCustomer(trx: Kysely<Database>, customerId: string): Promise<void> {
  await lockObject(trx, `customer:${customerId}`);
}

/** The fresh read names another customer than the one locked (from the body): not Stripe's. */
export function requireSameCustomer(locked: string, actual: string, what: string): void {
  if (locked !== actual) {
    throw new EventRejected(`${what} belongs to ${actual}, not to ${locked} as the event says`);
  }
}

/**
 * A fresh read from Stripe, checked against `schema`. Stripe saying the object does not exist
 * rejects the event (retrying cannot help); other failures propagate, for a retry.
 */
export async function readStripe<T extends z.ZodType>(
  schema: T,
  what: string,
  read: () => Promise<unknown>,
): Promise<z.output<T>> {
  let value: unknown;
  try {
    value = await read();
  } catch (error) {
    if (error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode === 404) {
      throw new ObjectMissing(`${what} does not exist in Stripe`);
    }
    throw error;
  }
  return parseOrReject(schema, value, what);
}
