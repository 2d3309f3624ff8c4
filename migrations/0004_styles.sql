-- A style library per subject: a prompt template, a negative prompt and optional defaults, named by a slug.
CREATE TABLE styles (
  subject TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  -- Contains {prompt} exactly once; the caller's prompt goes there.
  template TEXT NOT NULL,
  negative_prompt TEXT,
  provider TEXT,
  model TEXT,
  width INTEGER,
  height INTEGER,
  aspect_ratio TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (subject, name)
) WITHOUT ROWID;

-- The style a job was generated with (its name when submitted), or NULL.
ALTER TABLE jobs ADD COLUMN style TEXT;
