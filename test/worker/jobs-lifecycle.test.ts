import { createScheduledController, env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors';
import worker from '../../src/index';
import type { JobMessage } from '../../src/jobs/model';
import { JobStore } from '../../src/jobs/store';
import { submitJobs } from '../../src/jobs/submit';
import { sweepStuckJobs } from '../../src/jobs/sweeper';
import { createRegistry } from '../../src/providers/registry';
import { insertJob, jobRow } from '../helpers/jobs';

/** A queue producer that records what it is sent, or fails like a queue outage. */
function recordingQueue(fail = false) {
  const sent: JobMessage[] = [];
  const queue: Pick<Queue<JobMessage>, 'sendBatch'> = {
    async sendBatch(messages) {
      if (fail) throw new Error('Queue sendBatch failed: service unavailable');
      for (const m of messages) sent.push(m.body);
      return { metadata: { metrics: { backlogCount: sent.length, backlogBytes: 0 } } };
    },
  };
  return { queue, sent };
}

const registry = createRegistry({ placeholderDelayMs: 0, providers: { workersAi: false } });
const deps = (queue: Pick<Queue<JobMessage>, 'sendBatch'>) => ({
  store: new JobStore(env.DB),
  queue,
  registry,
  statuses: async () => new Map(),
  paidProviders: [],
  defaultProvider: 'auto',
  now: Date.now,
});

describe('submitting jobs', () => {
  it('writes every row before enqueueing, one message per image, in one batch', async () => {
    const { queue, sent } = recordingQueue();
    const jobs = await submitJobs(deps(queue), 'alice', {
      prompt: 'four',
      provider: 'auto',
      count: 4,
    });
    expect(jobs).toHaveLength(4);
    expect(sent.map((m) => m.job_id)).toEqual(jobs.map((j) => j.id));
    for (const job of jobs) expect(await jobRow(job.id)).toMatchObject({ status: 'pending', subject: 'alice' });
  });

  it('marks the rows failed and tells the caller when the queue refuses them', async () => {
    const { queue } = recordingQueue(true);
    const store = new JobStore(env.DB);
    const error = await submitJobs(deps(queue), 'alice', {
      prompt: 'lost?',
      provider: 'auto',
      count: 2,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).message).toMatch(/could not be queued.*marked failed/);
    const { jobs } = await store.list('alice', { status: 'failed', limit: 50, offset: 0 });
    const mine = jobs.filter((j) => j.prompt === 'lost?');
    expect(mine).toHaveLength(2);
    expect(mine.every((j) => j.error_code === 'enqueue_failed' && j.error?.includes('service unavailable'))).toBe(true);
  });

  it('refuses bad requests before writing anything', async () => {
    const { queue, sent } = recordingQueue();
    const submit = deps(queue);
    await expect(submitJobs(submit, 'alice', { prompt: 'x', provider: 'nope', count: 1 })).rejects.toThrow(
      /Unknown or unconfigured provider "nope"/,
    );
    await expect(
      submitJobs(submit, 'alice', { prompt: 'x', provider: 'auto', count: 1, width: 100000 }),
    ).rejects.toThrow(/width 100000 is outside placeholder's range/);
    await expect(
      submitJobs(submit, 'alice', { prompt: 'x', provider: 'auto', count: 1, width: 512, aspect_ratio: '1:1' }),
    ).rejects.toThrow(/either width\/height or aspect_ratio/);
    expect(sent).toHaveLength(0);
  });
});

describe('cron sweeper', () => {
  const config = { jobMaxAttempts: 3, jobStuckAfterSeconds: 600 };
  const old = Date.now() - 3_600_000;

  it('re-enqueues jobs stuck in processing or never delivered, and fails those out of attempts', async () => {
    const neverDelivered = await insertJob();
    const stuck = await insertJob();
    const exhausted = await insertJob();
    const fresh = await insertJob();
    await env.DB.batch([
      env.DB.prepare('UPDATE jobs SET updated_at = ? WHERE id = ?').bind(old, neverDelivered.id),
      env.DB.prepare(
        `UPDATE jobs SET status = 'processing', attempts = 1, lease_until = ?, updated_at = ? WHERE id = ?`,
      ).bind(old, old, stuck.id),
      env.DB.prepare(
        `UPDATE jobs SET status = 'processing', attempts = 3, lease_until = ?, updated_at = ? WHERE id = ?`,
      ).bind(old, old, exhausted.id),
    ]);
    const { queue, sent } = recordingQueue();
    const result = await sweepStuckJobs(new JobStore(env.DB), queue, config, Date.now());
    expect(result.requeued.sort()).toEqual([neverDelivered.id, stuck.id].sort());
    expect(result.failed).toEqual([exhausted.id]);
    expect(sent.map((m) => m.job_id).sort()).toEqual(result.requeued.sort());
    expect(await jobRow(exhausted.id)).toMatchObject({ status: 'failed', error_code: 'stuck' });
    expect((await jobRow(fresh.id))?.status).toBe('pending');
    // Touched, so the next run does not enqueue them again while the redelivery is on its way.
    const again = await sweepStuckJobs(new JobStore(env.DB), queue, config, Date.now());
    expect(again.requeued).toEqual([]);
  });

  it('runs from the scheduled() export and the re-enqueued job completes through the real queue', async () => {
    const job = await insertJob({ provider: 'placeholder' });
    await env.DB.prepare('UPDATE jobs SET updated_at = ? WHERE id = ?').bind(old, job.id).run();
    await worker.scheduled(createScheduledController({ cron: '*/5 * * * *' }), env);
    const deadline = Date.now() + 10_000;
    while ((await jobRow(job.id))?.status !== 'completed' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect((await jobRow(job.id))?.status).toBe('completed');
  });
});
