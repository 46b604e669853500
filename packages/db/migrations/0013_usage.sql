-- 0013: metered usage (issue 9, "Usage"). Operation types with a unit cost in credits; one
-- record per usage.record call (its idempotency key is unique, in the same key space as the
-- credit ledger's); and one counter row per user and billing period, which is both the
-- period's tally of included operations and the lock that serialises a user's usage in it.

-- What happens beyond a plan's included operations: debit credits at the operation's cost,
-- refuse (QUOTA_EXCEEDED), or bill on the next invoice (not implemented yet: refused with
-- OVERAGE_INVOICE_UNAVAILABLE rather than recorded unbilled).
CREATE TYPE plan_overage_mode AS ENUM ('credits', 'refuse', 'invoice');

ALTER TABLE plans ADD COLUMN overage_mode plan_overage_mode NOT NULL DEFAULT 'credits';

CREATE TABLE operation_types (
  code text PRIMARY KEY CHECK (code ~ '^[a-z0-9][a-z0-9_]{0,47}$'),
  name text NOT NULL CHECK (name <> '' AND length(name) <= 100),
  description text CHECK (length(description) <= 1000),
  -- Credits per unit when an operation is paid with credits (a ledger `usage` entry is never 0).
  unit_cost_credits integer NOT NULL CHECK (unit_cost_credits BETWEEN 1 AND 1000000),
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER operation_types_set_updated_at BEFORE UPDATE ON operation_types
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- One row per user and period: the subscription's current period, or the calendar month
-- (UTC) on the free plan. `included` follows the plan in force (refreshed on every record),
-- `used` counts the included operations taken; the CHECK is the last word on the quota.
CREATE TABLE usage_counters (
  user_id uuid NOT NULL REFERENCES users (id),
  period_start timestamptz NOT NULL,
  period_end timestamptz NOT NULL CHECK (period_end > period_start),
  included integer NOT NULL CHECK (included >= 0),
  used integer NOT NULL DEFAULT 0 CHECK (used >= 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, period_start)
);

CREATE TYPE usage_outcome AS ENUM ('included', 'credits');

CREATE TABLE usage_records (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id),
  operation text NOT NULL REFERENCES operation_types (code),
  quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 1000000),
  -- How many of the quantity the plan's allowance covered; the rest was paid with credits.
  included_quantity integer NOT NULL CHECK (included_quantity BETWEEN 0 AND quantity),
  outcome usage_outcome NOT NULL,
  credits_spent integer NOT NULL DEFAULT 0 CHECK (credits_spent >= 0),
  -- The ledger's `usage` entry (same idempotency key) when credits paid for part of it.
  credit_entry_id bigint REFERENCES credit_ledger (id),
  idempotency_key text NOT NULL UNIQUE
    CHECK (idempotency_key <> '' AND length(idempotency_key) <= 255),
  period_start timestamptz NOT NULL,
  period_end timestamptz NOT NULL,
  -- What was left right after this record (its answer, repeated as-is on a replay).
  included_left integer NOT NULL CHECK (included_left >= 0),
  credit_balance integer NOT NULL CHECK (credit_balance >= 0),
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((outcome = 'included') = (included_quantity = quantity)),
  CHECK ((credits_spent > 0) = (credit_entry_id IS NOT NULL)),
  CHECK (outcome = 'included' OR credits_spent > 0)
);

-- usage.list (newest first, the id is the cursor) and usage.stats (a time window).
CREATE INDEX usage_records_user_idx ON usage_records (user_id, id DESC);
CREATE INDEX usage_records_user_time_idx ON usage_records (user_id, created_at);
