-- 0002: accounts that can sign in. Password hashes, sessions (refresh-token families), the
-- refresh tokens themselves, one-time secrets for email flows, OAuth identities, and the
-- table rate-limiter-flexible keeps its counters in (created here, not at run time, so the
-- app never needs DDL rights).

ALTER TABLE users
  -- argon2id PHC string; null for accounts that only sign in by email code, link or OAuth.
  ADD COLUMN password_hash text CHECK (length(password_hash) <= 512),
  ADD COLUMN email_verified_at timestamptz,
  ADD COLUMN image_url text CHECK (length(image_url) <= 2048),
  ADD COLUMN deactivated_at timestamptz;

-- One row per refresh-token family: a login starts one, each refresh rotates the token
-- inside it, logout or reuse detection revokes it. The access token's `sid` points here.
CREATE TABLE sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- How the family started: password, code, magic_link, oauth:google, …
  method text NOT NULL CHECK (method <> '' AND length(method) <= 64),
  ip text CHECK (length(ip) <= 64),
  user_agent text CHECK (length(user_agent) <= 512),
  created_at timestamptz NOT NULL,
  last_used_at timestamptz NOT NULL,
  -- Moves forward with every rotation (sliding lifetime of the newest token).
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_reason text CHECK (length(revoked_reason) <= 64)
);

CREATE INDEX sessions_user_active_idx ON sessions (user_id, created_at DESC) WHERE revoked_at IS NULL;

-- Every refresh token ever issued in a family, stored only as SHA-256: a rotated token must
-- stay recognisable so that presenting it again is detected as reuse.
CREATE TABLE refresh_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  token_hash bytea NOT NULL CHECK (length(token_hash) = 32),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  rotated_at timestamptz
);

CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);

CREATE TYPE one_time_secret_purpose AS ENUM (
  'email_verification',
  'password_reset',
  'login_code',
  'magic_link',
  'oauth_exchange'
);

-- Email verification, password reset, login codes, magic links and OAuth exchange codes.
-- The secret is stored only as SHA-256; a row is single-use (consumed_at), expires, and
-- counts wrong guesses (attempts) where the secret is short enough to guess.
CREATE TABLE one_time_secrets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  purpose one_time_secret_purpose NOT NULL,
  -- Null for a login code or magic link sent to an email that has no account yet.
  user_id uuid REFERENCES users (id) ON DELETE CASCADE,
  email text NOT NULL CHECK (email <> '' AND length(email) <= 320),
  secret_hash bytea NOT NULL CHECK (length(secret_hash) = 32),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  consumed_at timestamptz
);

CREATE INDEX one_time_secrets_email_purpose_idx
  ON one_time_secrets (lower(email), purpose, created_at DESC)
  WHERE consumed_at IS NULL;
CREATE INDEX one_time_secrets_expires_idx ON one_time_secrets (expires_at);

-- Accounts at OAuth providers linked to a user; one user per provider account.
CREATE TABLE oauth_accounts (
  provider text NOT NULL CHECK (provider <> '' AND length(provider) <= 32),
  provider_account_id text NOT NULL CHECK (provider_account_id <> '' AND length(provider_account_id) <= 255),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, provider_account_id)
);

CREATE INDEX oauth_accounts_user_idx ON oauth_accounts (user_id);

-- rate-limiter-flexible's Postgres store, in the exact shape it expects (its
-- _getCreateTableStmt). Keys are "<limiter>:<ip or SHA-256 of the email>", so no email
-- address is stored here.
CREATE TABLE rate_limits (
  key varchar(255) PRIMARY KEY,
  points integer NOT NULL DEFAULT 0,
  expire bigint
);
