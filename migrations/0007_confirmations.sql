-- Paid-provider confirmations (multi round-trip requestState, src/calls/paid-confirmation.ts): each sealed
-- state carries a random nonce that may run a call once. A retry claims it with an insert; a replay of the same
-- state finds it taken. Rows are kept until the state could no longer verify anyway, then pruned by the cron.
CREATE TABLE confirmations (
  nonce TEXT PRIMARY KEY,
  subject TEXT NOT NULL,
  used_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);

CREATE INDEX confirmations_by_expiry ON confirmations (expires_at);
