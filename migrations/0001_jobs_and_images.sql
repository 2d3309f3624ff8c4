-- Jobs: one row per requested image, written before the message is enqueued.
-- Status only moves forward: pending -> processing -> completed | failed.
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  subject TEXT NOT NULL,
  batch_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
  prompt TEXT NOT NULL,
  negative_prompt TEXT,
  requested_provider TEXT NOT NULL,
  provider TEXT,
  model TEXT,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  seed INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  lease_until INTEGER,
  error TEXT,
  error_code TEXT,
  image_key TEXT,
  content_type TEXT,
  image_bytes INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  started_at INTEGER,
  completed_at INTEGER
);

CREATE INDEX jobs_by_subject ON jobs (subject, created_at DESC, id);
CREATE INDEX jobs_by_subject_status ON jobs (subject, status, created_at DESC, id);
CREATE INDEX jobs_open ON jobs (status, updated_at) WHERE status IN ('pending', 'processing');

-- Settings the Worker generates for itself once (e.g. the URL signing key when none is configured).
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- Legacy SSE transport: sessions and the mailbox that carries a POST to whichever isolate holds the stream.
CREATE TABLE sse_sessions (
  id TEXT PRIMARY KEY,
  subject TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);

CREATE TABLE sse_messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE INDEX sse_messages_by_session ON sse_messages (session_id, seq);
