-- 0011: server API keys, and the credit ledger.

-- Secret API keys of the product's own backend (apps/api/src/api-keys/api-key-secret.ts has
-- the model). A key is `tb_sk_<lookup><secret>`; only the lookup part is kept in clear (to
-- find the row and to show the key as `tb_sk_<lookup>…`), the whole key only as SHA-256.
CREATE TABLE api_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CHECK (name <> '' AND length(name) <= 100),
  lookup text NOT NULL UNIQUE CHECK (lookup ~ '^[0-9a-f]{16}$'),
  key_hash bytea NOT NULL CHECK (length(key_hash) = 32),
  scopes text[] NOT NULL CHECK (
    cardinality(scopes) > 0
    AND scopes <@ ARRAY['usage:write', 'credits:write', 'credits:read', 'billing:read']
  ),
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Set once, by the request that used the key first (that request also writes the audit row).
  first_used_at timestamptz,
  -- Coarse (touched at most once a minute), so a busy key is not one hot row written per call.
  last_used_at timestamptz,
  revoked_at timestamptz,
  revoked_by uuid REFERENCES users (id) ON DELETE SET NULL,
  CHECK (revoked_by IS NULL OR revoked_at IS NOT NULL)
);

CREATE INDEX api_keys_created_idx ON api_keys (created_at DESC);

-- The credit ledger (ADR 0008). credit_balances holds one row per account that ever had
-- credits; the CHECK is the last word on overdrafts, whatever the application does.
CREATE TABLE credit_balances (
  user_id uuid PRIMARY KEY REFERENCES users (id),
  balance integer NOT NULL CHECK (balance >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TYPE credit_entry_kind AS ENUM (
  'purchase', 'plan_grant', 'grant', 'debit', 'usage', 'refund', 'reversal', 'adjustment'
);

-- Append-only: every change of a balance is one row here, written in the transaction that
-- changes the balance, after that transaction locked the balance row. Per account, id order
-- is therefore the order the changes happened in, and balance_after chains: each entry's
-- balance_after is the previous one's plus its delta (what `pnpm credits:verify` checks).
CREATE TABLE credit_ledger (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id),
  kind credit_entry_kind NOT NULL,
  delta integer NOT NULL,
  balance_after integer NOT NULL CHECK (balance_after >= 0),
  reason text CHECK (length(reason) <= 500),
  -- The caller's key (debits, admin grants): one entry per key, over every kind and account,
  -- so a reused key is found whoever reuses it.
  idempotency_key text CHECK (idempotency_key <> '' AND length(idempotency_key) <= 255),
  -- What an entry came from outside (a Stripe checkout session, invoice or refund id): one
  -- entry per kind and source.
  source_ref text CHECK (source_ref <> '' AND length(source_ref) <= 255),
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Credits come in, debits go out; a refund or reversal may be 0 when nothing was left to
  -- take back (the shortfall goes in metadata); an adjustment is any non-zero correction.
  CHECK (
    CASE kind
      WHEN 'purchase' THEN delta > 0
      WHEN 'plan_grant' THEN delta > 0
      WHEN 'grant' THEN delta > 0
      WHEN 'debit' THEN delta < 0
      WHEN 'usage' THEN delta < 0
      WHEN 'adjustment' THEN delta <> 0
      ELSE true
    END
  ),
  CHECK (idempotency_key IS NOT NULL OR source_ref IS NOT NULL)
);

CREATE UNIQUE INDEX credit_ledger_idempotency_key ON credit_ledger (idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE UNIQUE INDEX credit_ledger_source ON credit_ledger (kind, source_ref)
  WHERE source_ref IS NOT NULL;
-- credits.history: an account's entries newest first (the id is the cursor).
CREATE INDEX credit_ledger_user_idx ON credit_ledger (user_id, id DESC);

CREATE FUNCTION credit_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'credit_ledger is append-only: correct a balance with an adjustment entry';
END;
$$;

CREATE TRIGGER credit_ledger_append_only BEFORE UPDATE OR DELETE ON credit_ledger
  FOR EACH ROW EXECUTE FUNCTION credit_ledger_append_only();
