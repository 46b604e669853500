/**
 * The invoice and refund mirrors' SQL (billing.invoices.list and billing.history read them).
 * Written from a fresh read of Stripe under a per-object lock; a settled invoice (paid or
 * void) never goes back to draft or open, whatever arrives late.
 */
import type { Database, Invoice, NewInvoice, NewRefund } from '@tollbooth/db';
import type { Kysely } from 'kysely';

type Db = Kysely<Database>;

const SETTLED = ['paid', 'void'] as const;
const UNSETTLED = ['draft', 'open'] as const;

export async function findInvoice(db: Db, id: string): Promise<Invoice | undefined> {
  return db.selectFrom('invoices').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function upsertInvoice(db: Db, row: NewInvoice): Promise<Invoice> {
  const { id: _id, created_at: _created, ...changes } = row;
  await db
    .insertInto('invoices')
    .values(row)
    .onConflict((conflict) =>
      conflict
        .column('id')
        .doUpdateSet(changes)
        .where((eb) =>
          eb.not(
            eb.and([eb('invoices.status', 'in', SETTLED), eb('excluded.status', 'in', UNSETTLED)]),
          ),
        ),
    )
    .execute();
  const stored = await findInvoice(db, row.id);
  if (!stored) throw new Error(`invoice ${row.id} vanished during its upsert`);
  return stored;
}

/** Refunds only change status (pending → succeeded/failed); returns the ids that are new. */
export async function upsertRefunds(db: Db, rows: NewRefund[]): Promise<string[]> {
  if (rows.length === 0) return [];
  const existing = await db
    .selectFrom('refunds')
    .select('id')
    .where(
      'id',
      'in',
      rows.map((row) => row.id),
    )
    .execute();
  const known = new Set(existing.map((row) => row.id));
  for (const row of rows) {
    await db
      .insertInto('refunds')
      .values(row)
      .onConflict((conflict) => conflict.column('id').doUpdateSet({ status: row.status }))
      .execute();
  }
  return rows.filter((row) => !known.has(row.id)).map((row) => row.id);
}
