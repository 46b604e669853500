-- 0003: rate-limit counters skip the write-ahead log.
--
-- Every rate-limited call upserts a row here (login consumes two), each its own commit. The
-- counters are worth nothing after a crash (at worst a window restarts early), so paying a
-- WAL flush for each is waste that competes with real commits; on a 2-core machine under
-- login load it also serialised logins on the hot per-IP row. UNLOGGED tables are emptied by
-- crash recovery and are not replicated to standbys, both acceptable for counters.
ALTER TABLE rate_limits SET UNLOGGED;
