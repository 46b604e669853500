-- 0005: OAuth exchange codes are bound to the browser (app) that started the flow.
--
-- Login CSRF: without a binding, an attacker could finish a flow for his own account and plant
-- the one-time exchange code in a victim's app, signing the victim in as him. /start now takes
-- the S256 challenge of a verifier the app keeps; its 32 digest bytes are stored with the code,
-- and auth.exchangeOAuthCode must present the verifier (apps/api/src/auth/oauth/pkce.ts).
ALTER TABLE one_time_secrets
  ADD COLUMN binding_hash bytea CHECK (length(binding_hash) = 32);

-- Codes issued before this migration carry no binding. They live two minutes; dropping them
-- costs at most one retried sign-in, honouring them would keep the hole open.
DELETE FROM one_time_secrets WHERE purpose = 'oauth_exchange';

ALTER TABLE one_time_secrets
  ADD CONSTRAINT one_time_secrets_oauth_exchange_bound
  CHECK (purpose <> 'oauth_exchange' OR binding_hash IS NOT NULL);
