-- 0007: the plan catalog. Plans live here (the database is the source of truth) and a job
-- mirrors each paid plan into Stripe as a product and a price. Money is integer cents.
-- A price change creates a new Stripe price; plan_prices remembers every price id a plan
-- ever had, so a subscriber still on an old price maps back to the right plan.

CREATE TYPE plan_interval AS ENUM ('month', 'year');

-- local: never sent to Stripe (the free tier). pending: changed, a sync job is queued.
-- synced: Stripe matches version `synced_version`. failed: the last attempt failed
-- (sync_error says why); the job queue retries it.
CREATE TYPE plan_sync_state AS ENUM ('local', 'pending', 'synced', 'failed');

CREATE TABLE plans (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Stable, public, used by clients (checkout takes a code): lowercase, digits, _ and -.
  code text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9_-]{0,47}$'),
  name text NOT NULL CHECK (name <> '' AND length(name) <= 100),
  description text CHECK (length(description) <= 1000),
  -- Stripe's unit_amount holds at most 8 digits.
  price_cents integer NOT NULL CHECK (price_cents BETWEEN 0 AND 99999999),
  currency text NOT NULL DEFAULT 'usd' CHECK (currency ~ '^[a-z]{3}$'),
  billing_interval plan_interval NOT NULL DEFAULT 'month',
  -- Operations included every month, whatever the billing interval.
  included_operations integer NOT NULL DEFAULT 0 CHECK (included_operations >= 0),
  -- Price of each operation beyond the allowance; null: no overage, usage stops there.
  overage_price_cents integer CHECK (overage_price_cents >= 0),
  monthly_credits integer NOT NULL DEFAULT 0 CHECK (monthly_credits >= 0),
  -- Feature keys servers check (api_access, registry:pull); validated by the API.
  entitlements text[] NOT NULL DEFAULT '{}' CHECK (cardinality(entitlements) <= 50),
  active boolean NOT NULL DEFAULT true,
  sort_order integer NOT NULL DEFAULT 0,
  -- Bumped by every change; sync idempotency keys are derived from (id, version).
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  stripe_product_id text UNIQUE,
  stripe_price_id text UNIQUE,
  sync_state plan_sync_state NOT NULL DEFAULT 'pending',
  synced_version integer,
  sync_error text CHECK (length(sync_error) <= 1000),
  -- Attempts since the last successful sync.
  sync_attempts integer NOT NULL DEFAULT 0 CHECK (sync_attempts >= 0),
  synced_at timestamptz,
  archived_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- The free tier is what a user without a subscription gets: price 0, never in Stripe,
  -- never archived. Every other plan costs something and is synced.
  CONSTRAINT plans_free_tier_is_free CHECK ((code = 'free') = (price_cents = 0)),
  CONSTRAINT plans_free_tier_is_local CHECK ((code = 'free') = (sync_state = 'local')),
  CONSTRAINT plans_free_tier_stays CHECK (code <> 'free' OR active),
  CONSTRAINT plans_archived_when_inactive CHECK (active = (archived_at IS NULL))
);

CREATE INDEX plans_active_order_idx ON plans (sort_order, price_cents, code) WHERE active;

CREATE TRIGGER plans_set_updated_at BEFORE UPDATE ON plans
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Every Stripe price a plan has had, current or not. Rows are never deleted: an old price
-- keeps billing its subscribers until they change plan, and its events must still resolve.
CREATE TABLE plan_prices (
  stripe_price_id text PRIMARY KEY,
  plan_id uuid NOT NULL REFERENCES plans (id),
  -- The plan version whose sync created it; null for a price found on the product (dashboard).
  plan_version integer,
  amount_cents integer NOT NULL CHECK (amount_cents >= 0),
  currency text NOT NULL CHECK (currency ~ '^[a-z]{3}$'),
  -- Stripe's recurring.interval, or one_time.
  billing_interval text NOT NULL CHECK (billing_interval IN ('day', 'week', 'month', 'year', 'one_time')),
  interval_count integer NOT NULL DEFAULT 1 CHECK (interval_count >= 1),
  active boolean NOT NULL,
  -- When Stripe created it.
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX plan_prices_plan_idx ON plan_prices (plan_id, created_at DESC);

CREATE TRIGGER plan_prices_set_updated_at BEFORE UPDATE ON plan_prices
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- The current price is always one of the plan's recorded prices.
ALTER TABLE plans
  ADD CONSTRAINT plans_stripe_price_recorded
  FOREIGN KEY (stripe_price_id) REFERENCES plan_prices (stripe_price_id);

-- The free tier exists from the start: access for users without a subscription reads it.
-- Admins may edit its name, allowance and entitlements; `pnpm db:seed` adds the paid tiers.
INSERT INTO plans (code, name, description, price_cents, sort_order, sync_state, overage_price_cents)
VALUES ('free', 'Free', 'For trying Tollbooth out: no card needed.', 0, 0, 'local', NULL);
