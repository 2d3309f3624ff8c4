-- Long waits a subject holds open (the wait tools, tasks/result: src/jobs/open-waits.ts), so that one access
-- token cannot hold an unbounded number of D1 pollers across isolates. A row stops counting at expires_at (its
-- wait's longest time plus a margin), so a wait in an isolate that died frees its place on its own; the cron
-- deletes such rows.
CREATE TABLE open_waits (
  id TEXT PRIMARY KEY,
  subject TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);

CREATE INDEX open_waits_by_subject ON open_waits (subject, expires_at);
