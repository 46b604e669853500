-- 0014: usage overage billed on the invoice (issue 9, overage mode `invoice`; ADR 0011). A
-- record beyond the plan's included operations on such a plan is `overage`: it owes
-- overage_quantity × the plan's per-operation price, in cents, and names the subscription whose
-- next invoice bills it. The `usage_push_overage` job, queued in the record's transaction,
-- creates one Stripe invoice item for it and writes the item's id here; Stripe sweeps it into
-- that subscription's next invoice.

-- 'overage' joins the outcomes. A value added with ALTER TYPE … ADD VALUE cannot be used in the
-- transaction that adds it (the CHECKs below do), so the type is rebuilt instead; the
-- unnamed CHECKs of 0013 that compare an outcome go first and come back rewritten and named.
DO $$
DECLARE
  constraint_name name;
BEGIN
  FOR constraint_name IN
    SELECT conname FROM pg_constraint
     WHERE conrelid = 'usage_records'::regclass AND contype = 'c'
       AND pg_get_constraintdef(oid) LIKE '%outcome%'
  LOOP
    EXECUTE format('ALTER TABLE usage_records DROP CONSTRAINT %I', constraint_name);
  END LOOP;
END $$;
ALTER TYPE usage_outcome RENAME TO usage_outcome_0013;
CREATE TYPE usage_outcome AS ENUM ('included', 'credits', 'overage');
ALTER TABLE usage_records
  ALTER COLUMN outcome TYPE usage_outcome USING outcome::text::usage_outcome;
DROP TYPE usage_outcome_0013;

ALTER TABLE usage_records
  -- How many of the quantity are billed as overage (the rest was included).
  ADD COLUMN overage_quantity integer NOT NULL DEFAULT 0 CHECK (overage_quantity >= 0),
  -- overage_quantity × the plan's overage_price_cents when recorded (0 at a price of 0).
  ADD COLUMN overage_cents integer NOT NULL DEFAULT 0 CHECK (overage_cents >= 0),
  ADD COLUMN overage_currency text CHECK (overage_currency ~ '^[a-z]{3}$'),
  -- The Stripe subscription whose next invoice bills the overage (the mirror's subscriptions.id).
  -- No foreign key: it names a Stripe object, and the mirror row is Stripe's to replace.
  ADD COLUMN overage_subscription_id text CHECK (overage_subscription_id <> ''),
  -- Set once, by the job, when Stripe holds the invoice item.
  ADD COLUMN stripe_invoice_item_id text UNIQUE CHECK (stripe_invoice_item_id <> ''),
  ADD CONSTRAINT usage_records_included_outcome
    CHECK ((outcome = 'included') = (included_quantity = quantity)),
  ADD CONSTRAINT usage_records_credits_outcome CHECK ((outcome = 'credits') = (credits_spent > 0)),
  ADD CONSTRAINT usage_records_overage_outcome CHECK (
    (outcome = 'overage') = (overage_quantity > 0)
    AND (overage_quantity = 0 OR overage_quantity = quantity - included_quantity)
    AND (outcome = 'overage') = (overage_subscription_id IS NOT NULL)
    AND (outcome = 'overage') = (overage_currency IS NOT NULL)
    AND (outcome = 'overage' OR (overage_cents = 0 AND stripe_invoice_item_id IS NULL))
  );

-- The overage records whose invoice item is not in Stripe yet (the reconcile view of the job).
CREATE INDEX usage_records_overage_unbilled_idx ON usage_records (id)
  WHERE outcome = 'overage' AND stripe_invoice_item_id IS NULL;
