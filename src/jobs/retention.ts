/** The cron trigger's retention sweep: images older than IMAGE_RETENTION_DAYS go, with their variants and rows. */
import { deleteImageObjects } from '../images/storage';
import { log } from '../log';
import type { JobStore } from './store';

export async function expireImages(
  store: JobStore,
  bucket: R2Bucket,
  retentionDays: number,
  now: number,
): Promise<number> {
  if (retentionDays <= 0) return 0;
  const expired = await store.expired(now - retentionDays * 86_400_000, 100);
  // Objects first: a row without objects is harmless, objects without a row would be orphaned.
  for (const job of expired) await deleteImageObjects(bucket, job.id);
  await store.deleteMany(expired.map((j) => j.id));
  if (expired.length > 0) log.info('expired images deleted', { count: expired.length });
  return expired.length;
}
