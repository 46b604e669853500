-- 0008: billing state mirrored from Stripe. Stripe is the source of truth for customers,
-- subscriptions and invoices; these tables are a local mirror, kept by verified webhooks
-- (and the reconciliation job), so reads are fast and work while Stripe is slow. Every event
-- is stored once by its id; state is applied from a fresh read of the object (or a newer
-- snapshot), so a late or duplicated event never moves a row backwards. Money: integer cents.

-- One Stripe customer per user, created on first need. UNIQUE makes two concurrent first
-- checkouts agree on one (the loser of the race reads the winner's id).
ALTER TABLE users ADD COLUMN stripe_customer_id text UNIQUE
  CHECK (stripe_customer_id ~ '^cus_[A-Za-z0-9]+$');

-- Every event that reached POST /webhooks/stripe (or that reconciliation fetched), once.
-- received: stored, not yet applied (a crash between store and apply leaves this; the
-- reconciler applies it). applied / ignored (a type we do not sync) / failed (a body we
-- cannot apply, with the reason: answered 200 so Stripe stops retrying, shown to admins).
CREATE TYPE stripe_event_status AS ENUM ('received', 'applied', 'ignored', 'failed');

CREATE TABLE stripe_events (
  id text PRIMARY KEY CHECK (id ~ '^evt_[A-Za-z0-9_]+$'),
  type text NOT NULL CHECK (type <> '' AND length(type) <= 100),
  -- event.created: Stripe's clock, the order events were generated in (second resolution).
  stripe_created timestamptz NOT NULL,
  livemode boolean NOT NULL,
  -- The object's id (sub_…, in_…, cs_…) when the body has one: what the event is about.
  object_id text CHECK (length(object_id) <= 255),
  payload jsonb NOT NULL,
  status stripe_event_status NOT NULL DEFAULT 'received',
  error text CHECK (length(error) <= 1000),
  source text NOT NULL DEFAULT 'webhook' CHECK (source IN ('webhook', 'reconcile')),
  received_at timestamptz NOT NULL DEFAULT now(),
  applied_at timestamptz
);

CREATE INDEX stripe_events_created_idx ON stripe_events (stripe_created DESC, id);
CREATE INDEX stripe_events_unfinished_idx ON stripe_events (received_at)
  WHERE status IN ('received', 'failed');

CREATE TYPE subscription_status AS ENUM (
  'incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due', 'canceled', 'unpaid',
  'paused'
);

CREATE TABLE subscriptions (
  id text PRIMARY KEY CHECK (id ~ '^sub_[A-Za-z0-9]+$'),
  user_id uuid NOT NULL REFERENCES users (id),
  stripe_customer_id text NOT NULL,
  status subscription_status NOT NULL,
  -- The plan its current price belongs to (plan_prices maps every price ever used).
  plan_id uuid REFERENCES plans (id),
  stripe_price_id text,
  quantity integer NOT NULL DEFAULT 1 CHECK (quantity >= 0),
  current_period_start timestamptz,
  current_period_end timestamptz,
  cancel_at_period_end boolean NOT NULL DEFAULT false,
  cancel_at timestamptz,
  canceled_at timestamptz,
  ended_at timestamptz,
  trial_end timestamptz,
  -- A scheduled change at period end (a downgrade): Stripe's schedule, the plan and when.
  stripe_schedule_id text,
  pending_plan_id uuid REFERENCES plans (id),
  pending_change_at timestamptz,
  stripe_created timestamptz NOT NULL,
  -- When this row was last written from Stripe's state (event snapshot or a fresh read).
  synced_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX subscriptions_user_idx ON subscriptions (user_id, stripe_created DESC);
CREATE INDEX subscriptions_period_end_idx ON subscriptions (current_period_end)
  WHERE status IN ('trialing', 'active', 'past_due', 'unpaid');

CREATE TRIGGER subscriptions_set_updated_at BEFORE UPDATE ON subscriptions
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TYPE invoice_status AS ENUM ('draft', 'open', 'paid', 'uncollectible', 'void');

CREATE TABLE invoices (
  id text PRIMARY KEY CHECK (id ~ '^in_[A-Za-z0-9]+$'),
  -- Null for an invoice of a customer we do not know (created in the dashboard).
  user_id uuid REFERENCES users (id),
  stripe_customer_id text NOT NULL,
  subscription_id text,
  number text CHECK (length(number) <= 100),
  status invoice_status NOT NULL,
  currency text NOT NULL CHECK (currency ~ '^[a-z]{3}$'),
  subtotal integer NOT NULL,
  total integer NOT NULL,
  amount_due integer NOT NULL,
  amount_paid integer NOT NULL,
  amount_remaining integer NOT NULL,
  billing_reason text CHECK (length(billing_reason) <= 100),
  period_start timestamptz,
  period_end timestamptz,
  hosted_invoice_url text CHECK (length(hosted_invoice_url) <= 2048),
  invoice_pdf text CHECK (length(invoice_pdf) <= 2048),
  stripe_created timestamptz NOT NULL,
  paid_at timestamptz,
  synced_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX invoices_user_created_idx ON invoices (user_id, stripe_created DESC, id);

CREATE TRIGGER invoices_set_updated_at BEFORE UPDATE ON invoices
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Refunds of charges, for billing.history (and, with credits, pack reversals).
CREATE TABLE refunds (
  id text PRIMARY KEY CHECK (id ~ '^re_[A-Za-z0-9]+$'),
  user_id uuid REFERENCES users (id),
  stripe_charge_id text NOT NULL,
  invoice_id text,
  amount integer NOT NULL CHECK (amount >= 0),
  currency text NOT NULL CHECK (currency ~ '^[a-z]{3}$'),
  status text NOT NULL CHECK (length(status) <= 50),
  stripe_created timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX refunds_user_created_idx ON refunds (user_id, stripe_created DESC, id);

-- The outbox of domain events (DESIGN, "Billing model"): written in the transaction of the
-- change it reports (`access.changed` with the old and new access, later `credits.low`, …)
-- and fanned out by the job queue to its subscribers (mail, Discord, outgoing webhooks).
CREATE TABLE domain_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  type text NOT NULL CHECK (type ~ '^[a-z_]+\.[a-z_]+$'),
  user_id uuid REFERENCES users (id),
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX domain_events_user_idx ON domain_events (user_id, id DESC);
CREATE INDEX domain_events_type_idx ON domain_events (type, id DESC);
