/**
 * The daily image quota (DAILY_IMAGE_QUOTA): images a subject may request per UTC day. The check and the
 * count are one conditional upsert, so concurrent requests from any isolates can never overshoot it.
 */
import { AppError } from '../errors';

export const DAY_MS = 24 * 3600 * 1000;

/** The start (ms) of the UTC day of `now`. */
export const dayStart = (now: number) => Math.floor(now / DAY_MS) * DAY_MS;

/** The UTC day of a time, as image_usage keys it: YYYY-MM-DD. */
export const dayOf = (now: number) => new Date(now).toISOString().slice(0, 10);

/** When the UTC day of `now` ends (ms), which is when the quota resets. */
export const nextDayStart = (now: number) => dayStart(now) + DAY_MS;

/** When the current UTC day ends, and how long until then, for "retry after" messages. */
function reset(now: number): { at: string; seconds: number; text: string } {
  const next = nextDayStart(now);
  const seconds = Math.ceil((next - now) / 1000);
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.ceil((seconds % 3600) / 60);
  return {
    at: new Date(next).toISOString(),
    seconds,
    text: hours > 0 ? `${hours} h ${minutes} min` : `${minutes} min`,
  };
}

/**
 * Counts `count` more images against the subject's quota for today, or throws a 429 that says how many are
 * left and when the quota resets. A quota of 0 means none is kept.
 */
export async function reserveImages(
  db: D1Database,
  subject: string,
  count: number,
  quota: number,
  now: number,
): Promise<void> {
  if (quota <= 0) return;
  const day = dayOf(now);
  const row =
    count <= quota
      ? await db
          .prepare(
            `INSERT INTO image_usage (subject, day, images) VALUES (?1, ?2, ?3)
             ON CONFLICT (subject, day) DO UPDATE SET images = images + excluded.images
             WHERE images + excluded.images <= ?4
             RETURNING images`,
          )
          .bind(subject, day, count, quota)
          .first<{ images: number }>()
      : null;
  if (row) return;
  const used =
    (await db
      .prepare('SELECT images FROM image_usage WHERE subject = ? AND day = ?')
      .bind(subject, day)
      .first<number>('images')) ?? 0;
  const left = Math.max(0, quota - used);
  const when = reset(now);
  throw new AppError(
    'rate_limited',
    `Daily image quota reached: ${used} of ${quota} images used today (UTC), ${left} left, and this call asks ` +
      `for ${count}. ${left > 0 ? `Ask for ${left} or fewer, or retry` : 'Retry'} after ${when.at} (in ${when.text}).`,
    { retryAfterSeconds: when.seconds },
  );
}

/** Drops usage rows older than yesterday (UTC); run from the cron trigger. */
export async function pruneUsage(db: D1Database, now: number): Promise<number> {
  const result = await db
    .prepare('DELETE FROM image_usage WHERE day < ?')
    .bind(dayOf(now - DAY_MS))
    .run();
  return result.meta.changes;
}
