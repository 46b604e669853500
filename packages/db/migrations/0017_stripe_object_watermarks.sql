-- 0017: a watermark per Stripe object, so an event can be applied from its own snapshot when
-- that snapshot is provably newer than what the mirror holds, instead of re-reading the object
-- from Stripe on every event (ADR 0010). Written in the transaction that applies the event,
-- under the object's lock, so it always describes the state the mirror holds.
CREATE TABLE stripe_object_watermarks (
  -- cus_…, sub_…: the Stripe object the mirror state was derived from.
  object_id text PRIMARY KEY CHECK (object_id ~ '^[A-Za-z0-9_]{1,255}$'),
  -- Stripe time (second resolution) the held state is at least as new as: the applied event's
  -- `created`, or, after a fresh read, an upper bound of Stripe's clock at that read.
  stripe_created timestamptz NOT NULL,
  -- sha256 of the object as the handler parsed it: a snapshot that is not newer but carries
  -- the same content cannot change the outcome, whatever the order.
  fingerprint text NOT NULL CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
  updated_at timestamptz NOT NULL DEFAULT now()
);
