/**
 * Faults in the platform, not the provider: D1 statements and R2 writes that fail, injected by wrapping the
 * real bindings. However a delivery is cut short, the job is never lost and never gets a second image.
 */
import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { originalKey } from '../../src/images/storage';
import { consumeJobs, processMessage } from '../../src/jobs/consumer';
import { JobStore } from '../../src/jobs/store';
import { consumerDeps, insertJob, jobRow, ScriptedProvider } from '../helpers/jobs';

/** What the real binding has under `key`, its methods bound to it (workerd bindings check their receiver). */
function forward(target: object, key: string | symbol): unknown {
  const value = Reflect.get(target, key, target);
  return typeof value === 'function' ? value.bind(target) : value;
}

/** A D1 database whose statements matching `pattern` throw, the first `times` times they run. */
function faultyDb(db: D1Database, pattern: RegExp, times: number) {
  const state = { left: times, failures: 0 };
  const real = new WeakMap<object, D1PreparedStatement>();
  const wrap = (statement: D1PreparedStatement, sql: string): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, key) {
        if (key === 'bind') return (...values: unknown[]) => wrap(target.bind(...values), sql);
        if (
          (key === 'run' || key === 'first' || key === 'all' || key === 'raw') &&
          pattern.test(sql) &&
          state.left > 0
        ) {
          return () => {
            state.left--;
            state.failures++;
            return Promise.reject(new Error('D1_ERROR: injected fault: database is unavailable'));
          };
        }
        return forward(target, key);
      },
    });
    real.set(proxy, statement);
    return proxy;
  };
  const wrapped = new Proxy(db, {
    get(target, key) {
      if (key === 'prepare') return (sql: string) => wrap(target.prepare(sql), sql);
      // batch() accepts only real statements.
      if (key === 'batch')
        return (statements: D1PreparedStatement[]) => target.batch(statements.map((s) => real.get(s) ?? s));
      return forward(target, key);
    },
  });
  return { db: wrapped, state };
}

/** An R2 bucket whose put() throws the first `times` times. */
function faultyBucket(bucket: R2Bucket, times: number) {
  const state = { left: times, failures: 0 };
  const wrapped = new Proxy(bucket, {
    get(target, key) {
      if (key === 'put' && state.left > 0) {
        return () => {
          state.left--;
          state.failures++;
          return Promise.reject(new Error('R2 internal error (injected)'));
        };
      }
      return forward(target, key);
    },
  });
  return { bucket: wrapped, state };
}

const objectsOf = async (id: string) => (await env.IMAGES.list({ prefix: originalKey(id) })).objects;

describe('platform faults', () => {
  it('an R2 write that fails is retried, and the job ends completed with one image', async () => {
    const provider = new ScriptedProvider();
    const job = await insertJob();
    const r2 = faultyBucket(env.IMAGES, 1);
    const first = await processMessage({ job_id: job.id }, consumerDeps(provider, { bucket: r2.bucket }));
    expect(first.ack).toBe(false);
    expect(r2.state.failures).toBe(1);
    // Still running, its lease given back, the error shown; no image yet.
    expect(await jobRow(job.id)).toMatchObject({ status: 'processing', lease_until: null });
    expect((await jobRow(job.id))?.error).toMatch(/R2 internal error/);
    expect(await objectsOf(job.id)).toHaveLength(0);

    const second = await processMessage({ job_id: job.id }, consumerDeps(provider, { bucket: r2.bucket }));
    expect(second.ack).toBe(true);
    expect(await jobRow(job.id)).toMatchObject({ status: 'completed', attempts: 2 });
    expect(await objectsOf(job.id)).toHaveLength(1);
  });

  it('a D1 failure after the image is stored is recovered by reusing that image', async () => {
    const provider = new ScriptedProvider();
    const job = await insertJob();
    const d1 = faultyDb(env.DB, /status = 'completed'/i, 1);
    const store = new JobStore(d1.db);
    const first = await processMessage({ job_id: job.id }, consumerDeps(provider, { store })).catch(
      (error: unknown) => ({ ack: false as const, error }),
    );
    expect(first.ack).toBe(false);
    expect(d1.state.failures).toBe(1);
    const stored = await env.IMAGES.head(originalKey(job.id));
    expect(stored).not.toBeNull();

    const second = await processMessage({ job_id: job.id }, consumerDeps(provider, { store }));
    expect(second.ack).toBe(true);
    expect(provider.calls).toBe(1);
    expect(await jobRow(job.id)).toMatchObject({ status: 'completed', content_type: 'image/png' });
    expect((await env.IMAGES.head(originalKey(job.id)))?.etag).toBe(stored?.etag);
  });

  it('a D1 failure while claiming calls no provider, and the real queue retries the message', async () => {
    const provider = new ScriptedProvider();
    const job = await insertJob();
    const d1 = faultyDb(env.DB, /lease_until/i, 1);
    const batch = createMessageBatch('imagegen-mcp-jobs', [
      { id: 'm1', timestamp: new Date(), attempts: 1, body: { job_id: job.id } },
    ]);
    const ctx = createExecutionContext();
    await consumeJobs(batch, consumerDeps(provider, { store: new JobStore(d1.db) }));
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(['m1']);
    expect(d1.state.failures).toBe(1);
    expect(provider.calls).toBe(0);
    expect(await jobRow(job.id)).toMatchObject({ status: 'pending' });

    // The redelivery finds D1 healthy again and completes the job.
    const again = await processMessage({ job_id: job.id }, consumerDeps(provider, { store: new JobStore(d1.db) }));
    expect(again.ack).toBe(true);
    expect(await jobRow(job.id)).toMatchObject({ status: 'completed' });
    expect(await objectsOf(job.id)).toHaveLength(1);
  });
});
