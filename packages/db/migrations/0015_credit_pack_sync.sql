-- 0015: credit packs become an admin-edited catalog mirrored into Stripe, as plans are (0007,
-- ADR 0007): one product per pack (`tb_pack_<code>`) and one active one-time price with the
-- pack's terms; a price change makes a new price and deactivates the old one. A checkout
-- sells the synced price when Stripe matches the pack's current version, else the pack's
-- terms inline (price_data), so a sale never uses a stale price.

-- Packs bought are credited from what their checkout session carried (0012), so an old
-- price id needs no history table to map back: only the current one is kept.
ALTER TABLE credit_packs
  ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  ADD COLUMN stripe_product_id text UNIQUE CHECK (stripe_product_id <> ''),
  -- Never `local`: every pack is sold through Stripe.
  ADD COLUMN sync_state plan_sync_state NOT NULL DEFAULT 'pending' CHECK (sync_state <> 'local'),
  ADD COLUMN synced_version integer,
  ADD COLUMN sync_error text CHECK (length(sync_error) <= 1000),
  ADD COLUMN sync_attempts integer NOT NULL DEFAULT 0 CHECK (sync_attempts >= 0),
  ADD COLUMN synced_at timestamptz,
  ADD COLUMN archived_at timestamptz,
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
  -- Stripe's unit_amount holds at most 8 digits.
  ADD CONSTRAINT credit_packs_price_fits_stripe CHECK (price_cents <= 99999999),
  ADD CONSTRAINT credit_packs_stripe_price_unique UNIQUE (stripe_price_id);

UPDATE credit_packs SET archived_at = created_at WHERE NOT active;

ALTER TABLE credit_packs
  ADD CONSTRAINT credit_packs_archived_when_inactive CHECK (active = (archived_at IS NULL));

CREATE TRIGGER credit_packs_set_updated_at BEFORE UPDATE ON credit_packs
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();
