-- 0012: credit packs (sold by credits.checkout.create in Stripe payment mode) and the record
-- of each pack bought, which the webhook writes once per checkout session (ADR 0008).

CREATE TABLE credit_packs (
  code text PRIMARY KEY CHECK (code ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
  name text NOT NULL CHECK (name <> '' AND length(name) <= 100),
  credits integer NOT NULL CHECK (credits > 0),
  price_cents integer NOT NULL CHECK (price_cents > 0),
  currency text NOT NULL DEFAULT 'usd' CHECK (currency ~ '^[a-z]{3}$'),
  active boolean NOT NULL DEFAULT true,
  sort_order integer NOT NULL DEFAULT 0,
  -- A Stripe price to sell it with; null: the checkout sends the price inline (price_data).
  stripe_price_id text CHECK (stripe_price_id <> ''),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- One row per paid pack checkout, written with its `purchase` ledger entry. What the pack
-- credited and cost is kept as it was when bought (a pack's terms may change later), so a
-- refund reverses the share of what this purchase credited. refunded_amount is the charge's
-- amount_refunded already reversed: each refund reverses only what is new beyond it.
CREATE TABLE credit_pack_purchases (
  checkout_session_id text PRIMARY KEY CHECK (checkout_session_id ~ '^cs_'),
  user_id uuid NOT NULL REFERENCES users (id),
  pack_code text NOT NULL,
  credits integer NOT NULL CHECK (credits > 0),
  amount integer NOT NULL CHECK (amount >= 0),
  currency text NOT NULL CHECK (currency ~ '^[a-z]{3}$'),
  payment_intent_id text UNIQUE,
  entry_id bigint NOT NULL REFERENCES credit_ledger (id),
  refunded_amount integer NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0 AND refunded_amount <= amount),
  reversed_credits integer NOT NULL DEFAULT 0 CHECK (reversed_credits >= 0),
  -- Credits a refund should have taken back but the account had spent (admins see these).
  shortfall integer NOT NULL DEFAULT 0 CHECK (shortfall >= 0),
  purchased_at timestamptz NOT NULL
);

CREATE INDEX credit_pack_purchases_user_idx ON credit_pack_purchases (user_id, purchased_at DESC);
CREATE INDEX credit_pack_purchases_shortfall_idx ON credit_pack_purchases (purchased_at DESC)
  WHERE shortfall > 0;
