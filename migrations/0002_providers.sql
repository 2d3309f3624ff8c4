-- What routing decided and adapted, what it cost, and what the provider reported while and after running.
ALTER TABLE jobs ADD COLUMN params TEXT;
ALTER TABLE jobs ADD COLUMN route_reason TEXT;
ALTER TABLE jobs ADD COLUMN adaptations TEXT;
ALTER TABLE jobs ADD COLUMN cost_usd REAL;
ALTER TABLE jobs ADD COLUMN progress REAL;
ALTER TABLE jobs ADD COLUMN revised_prompt TEXT;
ALTER TABLE jobs ADD COLUMN provider_meta TEXT;

-- Provider discovery cache: availability and the model list each provider's API reported.
CREATE TABLE provider_status (
  provider TEXT PRIMARY KEY,
  available INTEGER NOT NULL,
  reason TEXT,
  models TEXT,
  checked_at INTEGER NOT NULL
);
