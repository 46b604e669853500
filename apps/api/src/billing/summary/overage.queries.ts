/**
 * The overage billing.summary reports, summed from usage_records over a window of their
 * `created_at`: every operation beyond the plan's allowance (`quantity - included_quantity`),
 * and how those were settled.
 *
 * Today a record beyond the allowance is settled one way only: paid with credits as it
 * happened (outcome `credits`, `credits_spent`). Whatever is beyond the allowance and was not
 * paid with credits is what an invoice bills (`billedOperations`), priced by the caller at the
 * plan's overage price. When usage_records gain an invoiced outcome with its own amount in
 * cents, sum that amount here as `billedCents` instead of pricing the operations, so the
 * estimate uses what was priced when the usage was recorded.
 */
import type { Database } from '@tollbooth/db';
import { type Kysely, sql } from 'kysely';

export interface OverageSums {
  /** Operations beyond the allowance in the window. */
  operations: number;
  /** Of them, paid with credits when recorded. */
  creditOperations: number;
  /** The credits those cost. */
  creditsSpent: number;
  /** Of them, left to be billed on an invoice. */
  billedOperations: number;
}

export async function sumOverage(
  db: Kysely<Database>,
  args: { userId: string; from: Date; to: Date },
): Promise<OverageSums> {
  const { rows } = await sql<Omit<OverageSums, 'billedOperations'>>`
    select coalesce(sum(quantity - included_quantity), 0)::int as operations,
           coalesce(sum(quantity - included_quantity) filter (where outcome = 'credits'), 0)::int
             as "creditOperations",
           coalesce(sum(credits_spent), 0)::int as "creditsSpent"
      from usage_records
     where user_id = ${args.userId}
       and created_at >= ${args.from} and created_at < ${args.to}
       and quantity > included_quantity`.execute(db);
  const sums = rows[0] ?? { operations: 0, creditOperations: 0, creditsSpent: 0 };
  return { ...sums, billedOperations: sums.operations - sums.creditOperations };
}
