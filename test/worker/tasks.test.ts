/**
 * MCP tasks (2025-11-25) over raw JSON-RPC. Every rpc() is its own stateless request, so each tasks/get,
 * tasks/result and tasks/cancel here is answered by a fresh server that knows the task only from D1.
 */
import { env } from 'cloudflare:test';
import type { Task, Tool } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { findOriginal } from '../../src/images/storage';
import { processMessage } from '../../src/jobs/consumer';
import { TASK_PAGE_SIZE } from '../../src/jobs/task-store';
import { consumerDeps, jobRow, queuedTask, ScriptedProvider } from '../helpers/jobs';
import { rpc, TOKENS } from '../helpers/mcp';

const RELATED = 'io.modelcontextprotocol/related-task';
const bob = { token: TOKENS.bob };

async function startTask(
  args: Record<string, unknown>,
  task: Record<string, unknown> = {},
  name = 'generate_image_and_wait',
) {
  const reply = await rpc('tools/call', { name, arguments: args, task });
  expect(reply.error, JSON.stringify(reply.error)).toBeUndefined();
  return reply.result!.task as Task;
}

async function getTask(taskId: string, options = {}) {
  return rpc('tasks/get', { taskId }, options);
}

async function until(taskId: string, done: (task: Task) => boolean, ms = 15_000): Promise<Task> {
  const deadline = Date.now() + ms;
  for (;;) {
    const task = (await getTask(taskId)).result as unknown as Task;
    if (done(task) || Date.now() > deadline) return task;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('tasks: negotiation', () => {
  it('advertises task-augmented tools/call, tasks/list and tasks/cancel', async () => {
    const reply = await rpc('initialize', {
      protocolVersion: '2025-11-25',
      capabilities: {},
      clientInfo: { name: 'test', version: '1' },
    });
    expect((reply.result!.capabilities as Record<string, unknown>).tasks).toEqual({
      list: {},
      cancel: {},
      requests: { tools: { call: {} } },
    });
  });

  it('marks the waiting generation tools optional and leaves the rest without task support', async () => {
    const tools = (await rpc('tools/list')).result?.tools as Tool[];
    const support = Object.fromEntries(tools.map((t) => [t.name, t.execution?.taskSupport ?? 'forbidden']));
    expect(support.generate_image_and_wait).toBe('optional');
    expect(support.edit_image).toBe('optional');
    expect(support.generate_image).toBe('forbidden');
    expect(support.get_job_status).toBe('forbidden');
  });

  it('refuses params.task on a tool without task support (-32601)', async () => {
    const reply = await rpc('tools/call', { name: 'list_jobs', arguments: {}, task: {} });
    expect(reply.error?.code).toBe(-32601);
    // A name that is a property of every object is still just an unknown tool.
    expect((await rpc('tools/call', { name: '__proto__', arguments: {}, task: {} })).error?.code).toBe(-32601);
  });

  it('reports invalid arguments of a task-augmented call as invalid params, creating nothing', async () => {
    const reply = await rpc('tools/call', { name: 'generate_image_and_wait', arguments: { prompt: '' }, task: {} });
    expect(reply.error?.code).toBe(-32602);
  });
});

describe('tasks: lifecycle', () => {
  it('returns a working task at once; any request then sees it complete and gets the tool’s own result', async () => {
    const task = await startTask(
      { prompt: 'a task pony', provider: 'placeholder', width: 64, height: 64 },
      { ttl: 120_000 },
    );
    expect(task).toMatchObject({ status: 'working', ttl: 120_000, pollInterval: 2000 });
    expect(Date.parse(task.createdAt)).not.toBeNaN();

    const done = await until(task.taskId, (t) => t.status !== 'working');
    expect(done.status).toBe('completed');
    expect(Date.parse(done.lastUpdatedAt)).toBeGreaterThanOrEqual(Date.parse(done.createdAt));

    const result = (await rpc('tasks/result', { taskId: task.taskId })).result!;
    expect(result._meta).toEqual({ [RELATED]: { taskId: task.taskId } });
    const structured = result.structuredContent as {
      status: string;
      jobs: Array<{ status: string; image_url: string }>;
    };
    expect(structured.status).toBe('completed');
    expect(structured.jobs[0]!.image_url).toMatch(/^http:\/\/localhost\/images\//);
    expect(JSON.stringify(result.content)).toContain('![a task pony]');
  });

  it('tasks/result blocks until the task is terminal', async () => {
    const task = await startTask({ prompt: 'blocking', provider: 'placeholder', width: 64, height: 64, count: 2 });
    const result = (await rpc('tasks/result', { taskId: task.taskId })).result!;
    expect((result.structuredContent as { status: string }).status).toBe('completed');
    expect(((await getTask(task.taskId)).result as unknown as Task).status).toBe('completed');
  });

  it('clamps the ttl to what the server keeps', async () => {
    const task = await startTask({ prompt: 'short-lived', provider: 'placeholder', width: 64, height: 64 }, { ttl: 1 });
    expect(task.ttl).toBe(60_000);
  });

  it('edit_image takes a task too', async () => {
    const made = await startTask({ prompt: 'to edit', provider: 'placeholder', width: 64, height: 64 });
    const source = (await rpc('tasks/result', { taskId: made.taskId })).result!.structuredContent as {
      job_ids: string[];
    };
    const edit = await startTask(
      { images: [source.job_ids[0]], prompt: 'make it blue', provider: 'placeholder' },
      {},
      'edit_image',
    );
    const result = (await rpc('tasks/result', { taskId: edit.taskId })).result!;
    expect((result.structuredContent as { status: string }).status).toBe('completed');
  });
});

describe('tasks: listing', () => {
  it('pages newest first with an opaque cursor, every task exactly once', async () => {
    const mine = new Set<string>();
    for (let i = 0; i < TASK_PAGE_SIZE + 3; i++) mine.add((await queuedTask()).taskId);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const reply = await rpc('tasks/list', cursor ? { cursor } : {});
      expect(reply.error).toBeUndefined();
      const page = reply.result as unknown as { tasks: Task[]; nextCursor?: string };
      expect(page.tasks.length).toBeLessThanOrEqual(TASK_PAGE_SIZE);
      seen.push(...page.tasks.map((t) => t.taskId));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBeGreaterThan(1);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of mine) expect(seen).toContain(id);
  });

  it('refuses a cursor it did not give out (-32602)', async () => {
    expect((await rpc('tasks/list', { cursor: 'not-a-cursor' })).error?.code).toBe(-32602);
  });
});

describe('tasks: cancellation', () => {
  it('stops a queued job: it is failed as cancelled and the consumer never calls the provider', async () => {
    const { job, taskId } = await queuedTask();
    expect(((await getTask(taskId)).result as unknown as Task).status).toBe('working');

    const cancelled = await rpc('tasks/cancel', { taskId });
    expect(cancelled.result).toMatchObject({ taskId, status: 'cancelled' });
    expect(await jobRow(job.id)).toMatchObject({ status: 'failed', error_code: 'cancelled' });

    const provider = new ScriptedProvider();
    const outcome = await processMessage({ job_id: job.id }, consumerDeps(provider));
    expect(outcome.ack).toBe(true);
    expect(provider.calls).toBe(0);
    expect(await findOriginal(env.IMAGES, job.id)).toBeNull();

    expect(((await getTask(taskId)).result as unknown as Task).status).toBe('cancelled');
    expect((await rpc('tasks/cancel', { taskId })).error?.code).toBe(-32602);
    const result = (await rpc('tasks/result', { taskId })).result!;
    expect((result.structuredContent as { status: string }).status).toBe('failed');
  });

  it('aborts a provider call in flight once its job is cancelled, and acks without storing', async () => {
    const { job } = await queuedTask();
    const provider = new ScriptedProvider(['hang']);
    const deps = consumerDeps(provider, { cancelPollMs: 50 });
    const running = processMessage({ job_id: job.id }, deps);
    while ((await jobRow(job.id))?.status !== 'processing') await new Promise((r) => setTimeout(r, 10));
    await deps.store.fail([job.id], Date.now(), 'Cancelled by request (tasks/cancel).', 'cancelled');
    // The provider hangs until aborted: only the cancellation watch ends it with this note (its own
    // timeout would end it as a retryable timeout instead).
    const outcome = await running;
    expect(outcome).toMatchObject({ ack: true, note: expect.stringContaining('cancelled while generating') });
    expect(provider.calls).toBe(1);
    expect(await findOriginal(env.IMAGES, job.id)).toBeNull();
  });

  it('cuts off a running generation through the real queue; no image is stored', async () => {
    const task = await startTask({
      prompt: 'FAKE:slow:5000 a slow castle',
      provider: 'sd-webui',
      width: 512,
      height: 512,
    });
    const { results } = await env.DB.prepare('SELECT job_ids FROM tasks WHERE id = ?')
      .bind(task.taskId)
      .all<{ job_ids: string }>();
    const jobId = (JSON.parse(results[0]!.job_ids) as string[])[0]!;
    const deadline = Date.now() + 10_000;
    while ((await jobRow(jobId))?.status !== 'processing' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));

    const started = Date.now();
    expect((await rpc('tasks/cancel', { taskId: task.taskId })).result).toMatchObject({ status: 'cancelled' });
    // The consumer notices within its poll interval and gives up well before the 5 s generation would end.
    await new Promise((r) => setTimeout(r, 3000));
    expect(await jobRow(jobId)).toMatchObject({ status: 'failed', error_code: 'cancelled', image_key: null });
    await new Promise((r) => setTimeout(r, Math.max(0, started + 6000 - Date.now())));
    expect(await findOriginal(env.IMAGES, jobId)).toBeNull();
    expect(await jobRow(jobId)).toMatchObject({ status: 'failed', error_code: 'cancelled' });
  });
});

describe('tasks: subject isolation', () => {
  it('another subject’s task answers exactly like a missing one, and is never listed', async () => {
    const { taskId } = await queuedTask('alice');
    const missing = '00000000-0000-0000-0000-000000000000';
    for (const method of ['tasks/get', 'tasks/result', 'tasks/cancel']) {
      const theirs = await rpc(method, { taskId }, bob);
      const none = await rpc(method, { taskId: missing }, bob);
      expect(theirs.error?.code, method).toBe(-32602);
      expect(JSON.stringify(theirs.error).replaceAll(taskId, 'ID'), method).toBe(
        JSON.stringify(none.error).replaceAll(missing, 'ID'),
      );
    }
    const listed = await rpc('tasks/list', {}, bob);
    expect(JSON.stringify(listed.result)).not.toContain(taskId);
    expect(((await getTask(taskId)).result as unknown as Task).status).toBe('working');
  });
});
