import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { originalKey } from '../../src/images/storage';
import { consumeJobs, processMessage } from '../../src/jobs/consumer';
import { consumeDeadLetters } from '../../src/jobs/dead-letter';
import { JobStore } from '../../src/jobs/store';
import { consumerDeps, insertJob, jobRow, ScriptedProvider } from '../helpers/jobs';

describe('queue consumer', () => {
  it('generates, stores the image with its real content type and metadata, and completes the job', async () => {
    const job = await insertJob({ prompt: 'metadata check', seed: 42 });
    const outcome = await processMessage({ job_id: job.id }, consumerDeps(new ScriptedProvider()));
    expect(outcome.ack).toBe(true);
    const row = await jobRow(job.id);
    expect(row).toMatchObject({
      status: 'completed',
      attempts: 1,
      content_type: 'image/png',
      image_key: originalKey(job.id),
    });
    const object = await env.IMAGES.head(originalKey(job.id));
    expect(object?.httpMetadata?.contentType).toBe('image/png');
    expect(object?.customMetadata).toMatchObject({
      subject: 'alice',
      prompt: 'metadata check',
      seed: '42',
      width: '64',
    });
  });

  it('tells provider availability what a final failure and a success showed, and not a failure it retries', async () => {
    const heard: Array<[string, string | undefined]> = [];
    const recordGeneration = async (providerId: string, failure?: { code: string }) => {
      heard.push([providerId, failure?.code]);
    };
    const retried = await insertJob({ provider: 'scripted' });
    const deps = consumerDeps(new ScriptedProvider(['transient']), { recordGeneration });
    expect((await processMessage({ job_id: retried.id }, deps)).ack).toBe(false);
    expect(heard).toEqual([]);
    await env.DB.prepare('UPDATE jobs SET lease_until = 0 WHERE id = ?').bind(retried.id).run();
    expect((await processMessage({ job_id: retried.id }, deps)).ack).toBe(true);
    expect(heard).toEqual([['scripted', undefined]]);

    const last = await insertJob({ provider: 'scripted' });
    const once = consumerDeps(new ScriptedProvider(['transient']), { recordGeneration, config: { jobMaxAttempts: 1 } });
    expect((await processMessage({ job_id: last.id }, once)).ack).toBe(true);
    expect(heard.at(-1)).toEqual(['scripted', 'provider_unavailable']);
  });

  it('never makes a second image for a redelivered message', async () => {
    const provider = new ScriptedProvider();
    const job = await insertJob();
    await processMessage({ job_id: job.id }, consumerDeps(provider));
    const first = await env.IMAGES.head(originalKey(job.id));
    const again = await processMessage({ job_id: job.id }, consumerDeps(provider));
    expect(again).toMatchObject({ ack: true, note: expect.stringContaining('already completed') });
    expect(provider.calls).toBe(1);
    expect((await env.IMAGES.head(originalKey(job.id)))?.etag).toBe(first?.etag);
  });

  it('leaves a job that another delivery holds to that delivery, and retries after its lease', async () => {
    const provider = new ScriptedProvider();
    const job = await insertJob();
    const store = new JobStore(env.DB);
    await store.claim(job.id, Date.now(), 60_000);
    const outcome = await processMessage({ job_id: job.id }, consumerDeps(provider));
    expect(outcome.ack).toBe(false);
    expect(outcome.ack === false && outcome.delaySeconds).toBeGreaterThanOrEqual(59);
    expect(provider.calls).toBe(0);
  });

  it('recovers a job whose consumer died after storing the image, reusing the stored image', async () => {
    const provider = new ScriptedProvider();
    const job = await insertJob();
    await processMessage({ job_id: job.id }, consumerDeps(provider));
    const stored = await env.IMAGES.head(originalKey(job.id));
    // Simulate the crash: the image is in R2 but the row still says processing, with an expired lease.
    await env.DB.prepare(
      `UPDATE jobs SET status = 'processing', lease_until = 0, image_key = NULL, content_type = NULL WHERE id = ?`,
    )
      .bind(job.id)
      .run();
    const outcome = await processMessage({ job_id: job.id }, consumerDeps(provider));
    expect(outcome).toMatchObject({ ack: true, note: expect.stringContaining('already stored') });
    expect(provider.calls).toBe(1);
    expect(await jobRow(job.id)).toMatchObject({ status: 'completed', content_type: 'image/png', attempts: 2 });
    expect((await env.IMAGES.head(originalKey(job.id)))?.etag).toBe(stored?.etag);
  });

  it('looks for an image stored by an earlier delivery only when there was one', async () => {
    const heads: string[] = [];
    const bucket = new Proxy(env.IMAGES, {
      get: (target, name) =>
        name === 'head'
          ? (key: string) => {
              heads.push(key);
              return target.head(key);
            }
          : Reflect.get(target, name).bind(target),
    });
    const provider = new ScriptedProvider(['transient']);
    const job = await insertJob();
    await processMessage({ job_id: job.id }, consumerDeps(provider, { bucket }));
    expect(heads).toEqual([]);
    // The retry is the job's second claim: an earlier delivery might have stored the image before dying.
    await env.DB.prepare('UPDATE jobs SET lease_until = 0 WHERE id = ?').bind(job.id).run();
    const outcome = await processMessage({ job_id: job.id }, consumerDeps(provider, { bucket }));
    expect(outcome.ack).toBe(true);
    expect(heads).toEqual([originalKey(job.id)]);
    expect(await jobRow(job.id)).toMatchObject({ status: 'completed', attempts: 2 });
  });

  it('retries transient failures with backoff and ends completed with exactly one image', async () => {
    const provider = new ScriptedProvider(['transient', 'transient']);
    const job = await insertJob();
    const deps = consumerDeps(provider);
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      const outcome = await processMessage({ job_id: job.id }, deps);
      if (!outcome.ack) delays.push(outcome.delaySeconds);
    }
    expect(delays).toHaveLength(2);
    expect(delays.every((d) => d >= 1)).toBe(true);
    expect(provider.calls).toBe(3);
    expect(await jobRow(job.id)).toMatchObject({ status: 'completed', attempts: 3, error: null });
    const listed = await env.IMAGES.list({ prefix: originalKey(job.id) });
    expect(listed.objects).toHaveLength(1);
  });

  it('while retrying, shows the last error on the job', async () => {
    const job = await insertJob();
    await processMessage({ job_id: job.id }, consumerDeps(new ScriptedProvider(['transient'])));
    expect(await jobRow(job.id)).toMatchObject({ status: 'processing', error: 'upstream is overloaded (503)' });
  });

  it('fails permanent errors at once with the provider message, without retrying', async () => {
    const provider = new ScriptedProvider(['permanent']);
    const job = await insertJob();
    const outcome = await processMessage({ job_id: job.id }, consumerDeps(provider));
    expect(outcome.ack).toBe(true);
    expect(await jobRow(job.id)).toMatchObject({
      status: 'failed',
      error: 'the prompt was refused by the content policy',
      error_code: 'content_policy',
    });
    // A failed job never flips back, whatever is delivered later.
    expect(await processMessage({ job_id: job.id }, consumerDeps(provider))).toMatchObject({ ack: true });
    expect(provider.calls).toBe(1);
    expect((await jobRow(job.id))?.status).toBe('failed');
  });

  it('fails a malformed (empty) provider response without crashing', async () => {
    const job = await insertJob();
    const outcome = await processMessage({ job_id: job.id }, consumerDeps(new ScriptedProvider(['empty'])));
    expect(outcome.ack).toBe(true);
    expect(await jobRow(job.id)).toMatchObject({ status: 'failed', error_code: 'malformed_response' });
  });

  it('cuts off a hanging provider with a timeout and retries', async () => {
    const provider = new ScriptedProvider(['hang']);
    const job = await insertJob();
    const deps = consumerDeps(provider, { providerTimeoutMs: 50 });
    const first = await processMessage({ job_id: job.id }, deps);
    expect(first.ack).toBe(false);
    expect(await jobRow(job.id)).toMatchObject({ status: 'processing', error_code: 'timeout' });
    expect(await processMessage({ job_id: job.id }, deps)).toMatchObject({ ack: true });
    expect((await jobRow(job.id))?.status).toBe('completed');
  });

  it('gives up after the configured attempts', async () => {
    const job = await insertJob();
    const deps = consumerDeps(new ScriptedProvider(['transient', 'transient', 'transient', 'transient']));
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(await processMessage({ job_id: job.id }, deps));
    expect(outcomes.map((o) => o.ack)).toEqual([false, false, true]);
    expect(await jobRow(job.id)).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^Gave up after 3 attempts/),
    });
  });

  it('acks malformed and unknown messages instead of retrying them forever', async () => {
    const deps = consumerDeps(new ScriptedProvider());
    expect(await processMessage({ nope: 1 }, deps)).toMatchObject({ ack: true });
    expect(await processMessage({ job_id: crypto.randomUUID() }, deps)).toMatchObject({ ack: true });
  });

  it('acks or retries each message of a batch on its own', async () => {
    const good = await insertJob();
    const bad = await insertJob();
    // Messages of a batch run concurrently, so the failure is keyed to the job's prompt, not to call order.
    const provider = new ScriptedProvider([], (request) => (request.prompt === 'flaky' ? 'transient' : undefined));
    const deps = consumerDeps(provider);
    await env.DB.prepare(`UPDATE jobs SET prompt = 'flaky' WHERE id = ?`).bind(bad.id).run();
    const batch = createMessageBatch('imagegen-mcp-jobs', [
      { id: 'm1', timestamp: new Date(), attempts: 1, body: { job_id: good.id } },
      { id: 'm2', timestamp: new Date(), attempts: 1, body: { job_id: bad.id } },
    ]);
    await consumeJobs(batch, deps);
    const result = await getQueueResult(batch, createExecutionContext());
    expect(result.explicitAcks).toEqual(['m1']);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(['m2']);
  });
});

describe('dead-letter consumer', () => {
  it('marks the jobs of exhausted messages failed and leaves finished jobs alone', async () => {
    const open = await insertJob();
    const done = await insertJob();
    await processMessage({ job_id: done.id }, consumerDeps(new ScriptedProvider()));
    const batch = createMessageBatch<unknown>('imagegen-mcp-jobs-dlq', [
      { id: 'd1', timestamp: new Date(), attempts: 1, body: { job_id: open.id } },
      { id: 'd2', timestamp: new Date(), attempts: 1, body: { job_id: done.id } },
      { id: 'd3', timestamp: new Date(), attempts: 1, body: 'garbage' },
    ]);
    await consumeDeadLetters(batch, new JobStore(env.DB), Date.now);
    expect(await jobRow(open.id)).toMatchObject({ status: 'failed', error_code: 'retries_exhausted' });
    expect((await jobRow(done.id))?.status).toBe('completed');
  });
});
