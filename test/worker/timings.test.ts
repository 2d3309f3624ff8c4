/** Per-job timings: set by the consumer as the job moves on, shown by get_job_status. */
import { describe, expect, it } from 'vitest';
import { processMessage } from '../../src/jobs/consumer';
import type { JobView } from '../../src/jobs/view';
import { consumerDeps, insertJob, jobRow, ScriptedProvider } from '../helpers/jobs';
import { callTool } from '../helpers/mcp';

describe('job timings', () => {
  it('records started, provider done and stored in order, each once', async () => {
    const job = await insertJob({ provider: 'scripted' });
    let clock = Date.now() + 1000;
    const outcome = await processMessage(
      { job_id: job.id },
      consumerDeps(new ScriptedProvider(), { now: () => (clock += 250) }),
    );
    expect(outcome.ack).toBe(true);
    const row = (await jobRow(job.id)) as Record<string, number>;
    expect(row.status).toBe('completed');
    expect(row.started_at).toBeGreaterThan(row.created_at!);
    expect(row.provider_done_at).toBeGreaterThan(row.started_at!);
    expect(row.stored_at).toBeGreaterThan(row.provider_done_at!);
    expect(row.completed_at).toBe(row.stored_at);
  });

  it('get_job_status shows them with the spans between', async () => {
    const made = await callTool<{ jobs: Array<{ job_id: string }> }>('generate_image_and_wait', {
      prompt: 'timed',
      provider: 'placeholder',
      width: 64,
      height: 64,
    });
    const { structured: view } = await callTool<JobView>('get_job_status', { job_id: made.structured.jobs[0]!.job_id });
    const t = view.timings;
    expect(t.queued_at).toBe(view.created_at);
    for (const at of [t.started_at, t.provider_done_at, t.stored_at]) expect(Date.parse(at!)).not.toBeNaN();
    expect(Date.parse(t.started_at!)).toBeGreaterThanOrEqual(Date.parse(t.queued_at));
    expect(Date.parse(t.provider_done_at!)).toBeGreaterThanOrEqual(Date.parse(t.started_at!));
    expect(Date.parse(t.stored_at!)).toBeGreaterThanOrEqual(Date.parse(t.provider_done_at!));
    for (const span of [t.queue_ms, t.provider_ms, t.store_ms, t.total_ms]) expect(span).toBeGreaterThanOrEqual(0);
    expect(t.queue_ms! + t.provider_ms! + t.store_ms!).toBeLessThanOrEqual(t.total_ms!);
  });

  it('a queued job has only its queue time', async () => {
    const job = await insertJob({ provider: 'scripted' });
    const { structured: view } = await callTool<JobView>('get_job_status', { job_id: job.id });
    expect(view.timings).toMatchObject({ started_at: null, provider_done_at: null, stored_at: null, total_ms: null });
  });
});
