/**
 * The overage billing.summary reports, summed from usage_records over a window of their
 * `created_at`: every operation beyond the plan's allowance (`quantity - included_quantity`),
 * and how those were settled.
 *
 * A record beyond the allowance is settled one of two ways: paid with credits as it happened
 * (outcome `credits`, `credits_spent`), or billed on the next invoice (outcome `overage`, priced
 * when recorded: `overage_cents`, migration 0014). The invoice part is summed as recorded, not
 * re-priced, so a later price change never changes what the estimate says is owed.
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
  /** Of them, billed on an invoice (outcome `overage`). */
  billedOperations: number;
  /** What those cost, as priced when each was recorded. */
  billedCents: number;
}

export async function sumOverage(
  db: Kysely<Database>,
  args: { userId: string; from: Date; to: Date },
): Promise<OverageSums> {
  const { rows } = await sql<OverageSums>`
    select coalesce(sum(quantity - included_quantity), 0)::int as operations,
           coalesce(sum(quantity - included_quantity) filter (where outcome = 'credits'), 0)::int
             as "creditOperations",
           coalesce(sum(credits_spent), 0)::int as "creditsSpent",
           coalesce(sum(overage_quantity) filter (where outcome = 'overage'), 0)::int
             as "billedOperations",
           coalesce(sum(overage_cents) filter (where outcome = 'overage'), 0)::int
             as "billedCents"
      from usage_records
     where user_id = ${args.userId}
       and created_at >= ${args.from} and created_at < ${args.to}
       and quantity > included_quantity`.execute(db);
  return (
    rows[0] ?? {
      operations: 0,
      creditOperations: 0,
      creditsSpent: 0,
      billedOperations: 0,
      billedCents: 0,
    }
  );
}
