-- 0001: the first tables. Accounts and the audit trail every later domain writes to.

CREATE TYPE user_role AS ENUM ('user', 'admin');
CREATE TYPE user_status AS ENUM ('active', 'deactivated');
CREATE TYPE audit_status AS ENUM ('success', 'failure');

-- Keeps updated_at honest without every query having to remember it.
CREATE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at = now();
  RETURN NEW;
END;
$$;

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL CHECK (email <> '' AND length(email) <= 320),
  name text CHECK (length(name) <= 200),
  role user_role NOT NULL DEFAULT 'user',
  status user_status NOT NULL DEFAULT 'active',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Emails are compared case-insensitively (DESIGN "Data"): one account per lower(email).
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
CREATE INDEX users_created_at_idx ON users (created_at DESC);

CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE audit_log (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Kept when the user row goes: the trail must outlive the account it describes.
  user_id uuid REFERENCES users (id) ON DELETE SET NULL,
  event_type text NOT NULL CHECK (event_type <> ''),
  source text NOT NULL CHECK (source <> ''),
  request_id text,
  ip text,
  user_agent text,
  status audit_status NOT NULL,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX audit_log_user_created_idx ON audit_log (user_id, created_at DESC) WHERE user_id IS NOT NULL;
CREATE INDEX audit_log_event_created_idx ON audit_log (event_type, created_at DESC);
CREATE INDEX audit_log_created_idx ON audit_log (created_at DESC);
CREATE INDEX audit_log_request_id_idx ON audit_log (request_id) WHERE request_id IS NOT NULL;
