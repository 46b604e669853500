-- 0004: one live refresh token per family, and each rotated token remembers its successor.
--
-- The old grace window minted a new sibling for every reuse of a rotated token inside 10 s,
-- so a thief who replayed in time got a branch of his own that reuse detection never saw.
-- Now a rotated token presented inside the window gets its recorded successor back (derived
-- again from the presented secret with the server key, see
-- apps/api/src/auth/tokens/refresh-tokens.ts), never a new token.
--
-- No foreign key: a successor is always inserted by the statement that records it, and a
-- family is only ever deleted whole (ON DELETE CASCADE from sessions); an FK would cost an
-- index on this column for every cascade and buy nothing.
ALTER TABLE refresh_tokens ADD COLUMN successor_id uuid;

-- Families already forked by the old window: keep the newest live token and mark the older
-- ones rotated at their creation. Presenting one of those later is then a reuse outside the
-- window and ends the family, the outcome a fork should always have had.
UPDATE refresh_tokens AS older
SET rotated_at = older.created_at
WHERE older.rotated_at IS NULL
  AND EXISTS (
    SELECT 1 FROM refresh_tokens AS newer
    WHERE newer.session_id = older.session_id
      AND newer.rotated_at IS NULL
      AND (newer.created_at, newer.id) > (older.created_at, older.id)
  );

-- The invariant itself: at most one unrotated token per family (session).
CREATE UNIQUE INDEX refresh_tokens_one_live_per_session
  ON refresh_tokens (session_id)
  WHERE rotated_at IS NULL;
