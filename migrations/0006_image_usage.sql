-- Images requested per subject per UTC day, for DAILY_IMAGE_QUOTA. Counted when requested, so deleting an
-- image does not give its quota back; rows older than two days are pruned by the cron trigger.
CREATE TABLE image_usage (
  subject TEXT NOT NULL,
  day TEXT NOT NULL,
  images INTEGER NOT NULL,
  PRIMARY KEY (subject, day)
) WITHOUT ROWID;
