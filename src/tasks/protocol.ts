/**
 * Task-augmented tools/call in the 2025-11-25 form, for 2025-era clients. The v2 SDK dropped its experimental
 * task layer (SEP-2663 moved tasks to an extension: see extension.ts for the 2026-07-28 form), so the whole
 * surface is here, over the D1 tasks table, and any isolate answers any of it: a tools/call carrying
 * params.task queues its jobs, ties them to a task row and returns CreateTaskResult at once; tasks/get,
 * tasks/list and tasks/cancel read and change that row; tasks/result waits on the jobs and returns exactly what
 * the plain call would have. Error codes and wording follow the 2025-11-25 spec
 * (modelcontextprotocol.io/specification/2025-11-25/basic/utilities/tasks).
 */
import { type McpServer, ProtocolError, ProtocolErrorCode, RELATED_TASK_META_KEY } from '@modelcontextprotocol/server';
import * as z from 'zod';
import type { RequestContext } from '../calls/context';
import { MAX_OPEN_WAITS } from '../jobs/open-waits';
import { jobIdsOf, taskOf } from '../jobs/task-model';
import { waitForJobs } from '../jobs/wait';
import { log } from '../log';
import { reportJobs } from '../tools/wait-result';
import { interceptToolCalls, refusal, startTask, TERMINAL, taskRow, viewOf } from './start';
import type { TaskTool } from './tool';

/** How long one tasks/result request may wait; longer than any job runs before the sweeper ends it. */
export const TASK_RESULT_MAX_SECONDS = 15 * 60;

/** Server capability (2025-11-25): task-augmented tools/call, tasks/list and tasks/cancel. */
export const TASKS_CAPABILITY = { list: {}, cancel: {}, requests: { tools: { call: {} } } };

/** The params of a task-augmented tools/call and of the task methods (2025-11-25 schema). */
const TaskCall = z.object({
  name: z.string(),
  arguments: z.record(z.string(), z.unknown()).optional(),
  task: z.object({ ttl: z.number().nullish() }).loose(),
});
const TaskId = z.object({ taskId: z.string() });
const Page = z.object({ cursor: z.string().optional() });

/** Call before any tool is registered (see interceptToolCalls). Only for instances serving the 2025 era. */
export function enableTasks(server: McpServer, ctx: RequestContext, tools: ReadonlyMap<string, TaskTool>): void {
  const protocol = server.server;
  protocol.registerCapabilities({ tasks: TASKS_CAPABILITY });

  interceptToolCalls(server, (request) => {
    if ((request.params as { task?: unknown } | undefined)?.task === undefined) return undefined;
    return (async () => {
      const parsed = TaskCall.safeParse(request.params);
      if (!parsed.success)
        throw new ProtocolError(
          ProtocolErrorCode.InvalidParams,
          `Invalid params for tools/call: ${z.prettifyError(parsed.error)}`,
        );
      const { name, arguments: args, task: params } = parsed.data;
      const tool = tools.get(name);
      if (!tool)
        throw new ProtocolError(
          ProtocolErrorCode.MethodNotFound,
          `Tool ${name} does not support tasks; call it without params.task.`,
        );
      const row = await startTask(ctx, tool, { name, args, ttl: params?.ttl }).catch((error: unknown) =>
        Promise.reject(refusal(error)),
      );
      const images = jobIdsOf(row).length === 1 ? 'one image' : `${jobIdsOf(row).length} images`;
      return {
        task: await viewOf(ctx, row),
        _meta: {
          'io.modelcontextprotocol/model-immediate-response': `Generating ${images} as task ${row.id}; the result follows when it is done.`,
        },
      };
    })();
  });

  // Task methods left the SDK's typed method map with 2026-07-28, so they register in the explicit-schema form.
  protocol.setRequestHandler('tasks/get', { params: TaskId }, async ({ taskId }) =>
    viewOf(ctx, await taskRow(ctx, taskId)),
  );

  protocol.setRequestHandler('tasks/list', { params: Page }, async (params) => {
    const page = await ctx.tasks.list(params.cursor);
    if (!page) throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'Failed to list tasks: Invalid cursor');
    const states = await ctx.tasks.jobStates(page.rows);
    const tasks = page.rows.map((row) => taskOf(row, states.get(row.id) ?? []));
    return page.nextCursor ? { tasks, nextCursor: page.nextCursor } : { tasks };
  });

  protocol.setRequestHandler('tasks/cancel', { params: TaskId }, async ({ taskId }) => {
    const row = await taskRow(ctx, taskId);
    const task = await viewOf(ctx, row);
    if (TERMINAL.has(task.status))
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Cannot cancel task in terminal status: ${task.status}`);
    if (await ctx.tasks.cancel(row, 'Client cancelled task execution.', ctx.store))
      log.info('task cancelled', { task_id: row.id, subject: ctx.subject, job_ids: jobIdsOf(row) });
    return viewOf(ctx, await taskRow(ctx, taskId));
  });

  // tasks/result blocks until the task is terminal (spec), polling its jobs the way the wait tools do (backing
  // off to one D1 read a second). Jobs end on their own (retries are bounded, the cron fails stuck ones), so
  // the cap is only a backstop against a request polling for ever; past it the client asks again.
  protocol.setRequestHandler('tasks/result', { params: TaskId }, async ({ taskId }, extra) => {
    const row = await taskRow(ctx, taskId);
    const ids = jobIdsOf(row);
    const release = await ctx.openWait(TASK_RESULT_MAX_SECONDS * 1000);
    if (!release)
      throw new ProtocolError(
        ProtocolErrorCode.InternalError,
        `This access token already has ${MAX_OPEN_WAITS} waits open: poll tasks/get, or call tasks/result again once one of them returns.`,
      );
    const { jobs, done } = await waitForJobs(() => ctx.store.getMany(ctx.subject, ids), {
      timeoutMs: TASK_RESULT_MAX_SECONDS * 1000,
      signal: extra.mcpReq.signal,
    }).finally(release);
    if (!done)
      throw new ProtocolError(
        ProtocolErrorCode.InternalError,
        `Task ${taskId} is still working after ${TASK_RESULT_MAX_SECONDS}s: call tasks/result again, or poll tasks/get.`,
      );
    const result = await reportJobs(ctx, ids, jobs, {
      done,
      timeoutSeconds: TASK_RESULT_MAX_SECONDS,
      preview: row.preview === 1 ? 'previews' : 'none',
    });
    return { ...result, _meta: { ...result._meta, [RELATED_TASK_META_KEY]: { taskId } } };
  });
}
