-- Image-to-image jobs: the images an edit started from (a JSON array of job ids, first one edited) and its mask.
ALTER TABLE jobs ADD COLUMN source_ids TEXT;
ALTER TABLE jobs ADD COLUMN mask_id TEXT;
