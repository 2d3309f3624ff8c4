/**
 * A bound on the long waits (wait_for_completion, the submit-and-wait tools, tasks/result) one subject holds
 * open at once, counted in D1 so it holds across isolates: each wait polls D1 for up to minutes, and a batch
 * or a burst of parallel calls could otherwise keep any number of pollers alive on one token.
 * A place is taken by one conditional insert (D1 runs each statement alone, so the count cannot be raced past)
 * and given back when the wait ends; a row left by an isolate that died stops counting at its expiry.
 */

/** Enough for a chat that fans out parallel generations, few enough that one token cannot pin the database. */
export const MAX_OPEN_WAITS = 8;

/** A row outlives its wait's longest time by this much: the wait may start a little after its place is taken. */
const MARGIN_MS = 30_000;

export type ReleaseWait = () => Promise<void>;

/** Takes a place for a wait of at most `maxMs`; undefined when the subject already holds MAX_OPEN_WAITS. */
export async function openWait(
  db: D1Database,
  subject: string,
  maxMs: number,
  now: number,
): Promise<ReleaseWait | undefined> {
  const id = crypto.randomUUID();
  const result = await db
    .prepare(
      `INSERT INTO open_waits (id, subject, expires_at)
       SELECT ?1, ?2, ?3 WHERE (SELECT COUNT(*) FROM open_waits WHERE subject = ?2 AND expires_at > ?4) < ?5`,
    )
    .bind(id, subject, now + maxMs + MARGIN_MS, now, MAX_OPEN_WAITS)
    .run();
  if (result.meta.changes !== 1) return undefined;
  return async () => {
    await db.prepare('DELETE FROM open_waits WHERE id = ?').bind(id).run();
  };
}

export async function pruneOpenWaits(db: D1Database, now: number): Promise<number> {
  const result = await db.prepare('DELETE FROM open_waits WHERE expires_at <= ?').bind(now).run();
  return result.meta.changes;
}
