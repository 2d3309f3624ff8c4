-- MCP tasks (protocol 2025-11-25): a task-augmented tools/call and the jobs it queued. A task's status is
-- derived from its jobs' rows, so any isolate answers tasks/get without the creating request staying alive.
CREATE TABLE tasks (
  id TEXT PRIMARY KEY,
  subject TEXT NOT NULL,
  tool TEXT NOT NULL,
  -- JSON array of job ids, in the order the tool made them.
  job_ids TEXT NOT NULL,
  -- Whether tasks/result includes inline previews (the call's include_preview).
  preview INTEGER NOT NULL DEFAULT 0,
  ttl_ms INTEGER NOT NULL,
  poll_interval_ms INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  cancelled_at INTEGER,
  status_message TEXT
);

CREATE INDEX tasks_by_subject ON tasks (subject, created_at DESC, id DESC);
CREATE INDEX tasks_by_age ON tasks (created_at);

-- Per-job timings beyond created_at (queued), started_at (first claimed) and completed_at (finished):
-- when the provider returned the image, and when it was stored in R2.
ALTER TABLE jobs ADD COLUMN provider_done_at INTEGER;
ALTER TABLE jobs ADD COLUMN stored_at INTEGER;
