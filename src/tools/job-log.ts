/** What the job tools tell a client's log while they run: where jobs went, and how each one ends. */

import type { CallLog } from '../calls/logging';
import type { Job, JobStatus } from '../jobs/model';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export async function logQueued(log: CallLog, jobs: readonly Job[]): Promise<void> {
  const first = jobs[0];
  if (!first) return;
  await log('info', `Queued ${plural(jobs.length, 'job')} on ${first.provider}/${first.model}.`, {
    job_ids: jobs.map((j) => j.id),
    provider: first.provider,
    model: first.model,
    route_reason: first.route_reason,
    ...(first.style && { style: first.style }),
  });
  const adaptations = first.adaptations ? (JSON.parse(first.adaptations) as string[]) : [];
  if (adaptations.length) await log('notice', `Adapted to ${first.model}: ${adaptations.join('; ')}`, { adaptations });
}

/** Returns a function to call with each fresh read of the jobs; it logs every status change since the last. */
export function logChanges(log: CallLog): (jobs: readonly Job[]) => Promise<void> {
  const seen = new Map<string, JobStatus>();
  return async (jobs) => {
    for (const job of jobs) {
      const before = seen.get(job.id) ?? 'pending';
      seen.set(job.id, job.status);
      if (job.status === before) continue;
      const fields = { job_id: job.id, status: job.status, provider: job.provider, model: job.model };
      if (job.status === 'processing') await log('debug', `Job ${job.id} started (attempt ${job.attempts}).`, fields);
      else if (job.status === 'completed') {
        const seconds = ((job.completed_at ?? job.updated_at) - job.created_at) / 1000;
        await log('info', `Job ${job.id} finished in ${seconds.toFixed(1)}s.`, fields);
      } else if (job.status === 'failed')
        await log('warning', `Job ${job.id} failed: ${job.error ?? 'unknown error'}`, { ...fields, error: job.error });
    }
  };
}
