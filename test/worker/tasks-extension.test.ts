/**
 * The Tasks extension (io.modelcontextprotocol/tasks, SEP-2663) for 2026-07-28 clients, sent as raw requests.
 * Each request is its own stateless exchange, so every tasks/get here is answered from D1 alone.
 */
import { describe, expect, it } from 'vitest';
import { jobRow, queuedTask } from '../helpers/jobs';
import { TOKENS } from '../helpers/mcp';
import { type ModernOptions, modernRpc } from '../helpers/modern';

const EXT = 'io.modelcontextprotocol/tasks';
const declaring: ModernOptions = {
  meta: { 'io.modelcontextprotocol/clientCapabilities': { extensions: { [EXT]: {} } } },
};
const asBob: ModernOptions = { ...declaring, token: TOKENS.bob };

const generate = {
  name: 'generate_image_and_wait',
  arguments: { prompt: 'a task pony', provider: 'placeholder', width: 64, height: 64 },
};

type Detailed = Record<string, unknown> & { taskId: string; status: string; result?: Record<string, unknown> };

async function getTask(taskId: string, options: ModernOptions = declaring) {
  return modernRpc('tasks/get', { taskId }, options);
}

async function until(taskId: string, done: (task: Detailed) => boolean, ms = 15_000): Promise<Detailed> {
  const deadline = Date.now() + ms;
  for (;;) {
    const task = (await getTask(taskId)).reply.result as unknown as Detailed;
    if (done(task) || Date.now() > deadline) return task;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Tasks extension: negotiation', () => {
  it('is advertised in server/discover, with no 2025 tasks capability', async () => {
    const capabilities = (await modernRpc('server/discover')).reply.result!.capabilities as Record<string, unknown>;
    expect(capabilities.extensions).toMatchObject({ [EXT]: {} });
    expect(capabilities.tasks).toBeUndefined();
  });

  it('answers a call from a client without the extension with the tool result, not a task', async () => {
    const { reply } = await modernRpc('tools/call', generate);
    expect(reply.result).toMatchObject({ resultType: 'complete', structuredContent: { status: 'completed' } });
  });

  it('refuses tasks/* from a client that did not declare it (-32021, HTTP 400)', async () => {
    const { taskId } = await queuedTask();
    for (const method of ['tasks/get', 'tasks/cancel', 'tasks/update']) {
      const { status, reply } = await modernRpc(method, { taskId });
      expect(status, method).toBe(400);
      expect(reply.error, method).toMatchObject({
        code: -32021,
        data: { requiredCapabilities: { extensions: { [EXT]: {} } } },
      });
    }
  });

  it('has no tasks/list or tasks/result (-32601)', async () => {
    const { taskId } = await queuedTask();
    expect((await modernRpc('tasks/list', {}, declaring)).reply.error?.code).toBe(-32601);
    expect((await modernRpc('tasks/result', { taskId }, declaring)).reply.error?.code).toBe(-32601);
  });
});

describe('Tasks extension: lifecycle', () => {
  it('returns a task handle at once; tasks/get then shows it complete with the tool’s own result', async () => {
    const { reply } = await modernRpc('tools/call', generate, declaring);
    const handle = reply.result as unknown as Detailed;
    expect(handle).toMatchObject({ resultType: 'task', status: 'working', pollIntervalMs: 2000 });
    expect(handle.ttlMs).toBeGreaterThan(0);
    for (const gone of ['ttl', 'pollInterval', 'result', 'task', 'content'])
      expect(handle, gone).not.toHaveProperty(gone);
    expect(Date.parse(String(handle.createdAt))).not.toBeNaN();

    const done = await until(handle.taskId, (t) => t.status !== 'working');
    expect(done).toMatchObject({ status: 'completed', resultType: 'complete' });
    expect(done.result).toMatchObject({ structuredContent: { status: 'completed' } });
    expect(JSON.stringify(done.result)).not.toContain('related-task');
  });

  it('cancels a working task, stops its job, and acknowledges a finished one too', async () => {
    const { job, taskId } = await queuedTask();
    const cancel = await modernRpc('tasks/cancel', { taskId }, declaring);
    expect(cancel.reply.result).toMatchObject({ resultType: 'complete' });
    expect((await getTask(taskId)).reply.result).toMatchObject({ status: 'cancelled' });
    expect(await jobRow(job.id)).toMatchObject({ status: 'failed', error_code: 'cancelled' });
    expect((await modernRpc('tasks/cancel', { taskId }, declaring)).reply.error).toBeUndefined();
  });

  it('acknowledges tasks/update for a task it knows', async () => {
    const { taskId } = await queuedTask();
    const { reply } = await modernRpc('tasks/update', { taskId, inputResponses: {} }, declaring);
    expect(reply.result).toMatchObject({ resultType: 'complete' });
  });

  it('answers an unknown task, and another subject’s, with -32602', async () => {
    const { taskId } = await queuedTask('alice');
    const missing = await getTask('00000000-0000-0000-0000-000000000000');
    const foreign = await getTask(taskId, asBob);
    expect(missing.reply.error?.code).toBe(-32602);
    expect(foreign.reply.error?.code).toBe(-32602);
    expect(foreign.reply.error?.message.replace(taskId, 'ID')).toBe(
      missing.reply.error?.message.replace('00000000-0000-0000-0000-000000000000', 'ID'),
    );
  });

  it('checks Mcp-Name against the task id (-32020)', async () => {
    const { taskId } = await queuedTask();
    const { status, reply } = await getTask(taskId, { ...declaring, headers: { 'mcp-name': 'another-task' } });
    expect([status, reply.error?.code]).toEqual([400, -32020]);
  });
});
