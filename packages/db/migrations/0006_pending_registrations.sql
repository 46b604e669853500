-- 0006: registrations that wait for their verification link (REGISTRATION_MODE=verify-first).
--
-- In verify-first mode `auth.register` creates no account: the argon2 hash and the name chosen
-- at sign-up wait here, tied to the one-time secret (an email_verification secret without a
-- user) that is mailed to the address, and become an account only when that link is redeemed
-- (apps/api/src/auth/verify-first.ts). A newer registration of the address deletes the older
-- row and retires its secret, so whoever registers an address first cannot keep a password on
-- it. Rows go with their secret: redeemed (deleted then), replaced, or expired and swept.
CREATE TABLE pending_registrations (
  secret_id uuid PRIMARY KEY REFERENCES one_time_secrets (id) ON DELETE CASCADE,
  password_hash text NOT NULL CHECK (length(password_hash) <= 512),
  name text CHECK (length(name) <= 200)
);
