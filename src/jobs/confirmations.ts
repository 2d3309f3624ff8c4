/**
 * Single use of a paid-provider confirmation: its nonce is claimed with one insert, so of any number of
 * concurrent or later retries carrying the same sealed state, from any isolate, exactly one runs.
 */
export async function claimConfirmation(
  db: D1Database,
  nonce: string,
  subject: string,
  now: number,
  expiresAt: number,
): Promise<boolean> {
  const result = await db
    .prepare(
      'INSERT INTO confirmations (nonce, subject, used_at, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT (nonce) DO NOTHING',
    )
    .bind(nonce, subject, now, expiresAt)
    .run();
  return result.meta.changes === 1;
}

export async function pruneConfirmations(db: D1Database, now: number): Promise<number> {
  const result = await db.prepare('DELETE FROM confirmations WHERE expires_at <= ?').bind(now).run();
  return result.meta.changes;
}
