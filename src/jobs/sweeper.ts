/**
 * The cron trigger's job: find jobs nobody is working on (lease expired, or a message that never arrived)
 * and either enqueue them again or, once they have used their attempts, fail them with a clear reason.
 */
import type { Config } from '../config';
import { log } from '../log';
import type { JobMessage } from './model';
import type { JobStore } from './store';

export interface SweepResult {
  requeued: string[];
  failed: string[];
}

export async function sweepStuckJobs(
  store: JobStore,
  queue: Pick<Queue<JobMessage>, 'sendBatch'>,
  config: Pick<Config, 'jobMaxAttempts' | 'jobStuckAfterSeconds'>,
  now: number,
): Promise<SweepResult> {
  const stale = await store.findStale(now - config.jobStuckAfterSeconds * 1000, 100);
  const exhausted = stale.filter((j) => j.attempts >= config.jobMaxAttempts).map((j) => j.id);
  const retry = stale.filter((j) => j.attempts < config.jobMaxAttempts).map((j) => j.id);
  await store.fail(
    exhausted,
    now,
    `The job stopped making progress and was abandoned after ${config.jobMaxAttempts} attempts.`,
    'stuck',
  );
  if (retry.length > 0) {
    await queue.sendBatch(retry.map((id) => ({ body: { job_id: id }, contentType: 'json' as const })));
    await store.touch(retry, now);
  }
  if (stale.length > 0) log.warn('stuck jobs swept', { requeued: retry, failed: exhausted });
  return { requeued: retry, failed: exhausted };
}
