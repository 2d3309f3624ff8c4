/**
 * Task-augmented tools/call in the 2025-11-25 form, for 2025-era clients. The v2 SDK dropped its experimental
 * task layer (SEP-2663 moved tasks to an extension), so the whole surface is here, over the D1 tasks table, and
 * any isolate answers any of it: a tools/call carrying params.task queues its jobs, ties them to a task row and
 * returns CreateTaskResult at once; tasks/get, tasks/list and tasks/cancel read and change that row; tasks/result
 * waits on the jobs and returns exactly what the plain call would have. Error codes and wording follow the
 * 2025-11-25 spec (modelcontextprotocol.io/specification/2025-11-25/basic/utilities/tasks).
 */
import {
  CallToolRequestSchema,
  CancelTaskRequestSchema,
  GetTaskPayloadRequestSchema,
  GetTaskRequestSchema,
  ListTasksRequestSchema,
} from '@modelcontextprotocol/core';
import {
  type CallToolRequest,
  type CreateTaskResult,
  type JSONRPCRequest,
  type McpServer,
  ProtocolError,
  ProtocolErrorCode,
  RELATED_TASK_META_KEY,
  type Result,
  type ServerContext,
  type Task,
} from '@modelcontextprotocol/server';
import { AppError } from '../errors';
import { waitForJobs } from '../jobs/wait';
import { log } from '../log';
import type { RequestContext } from '../mcp/context';
import { reportJobs } from '../tools/wait-result';
import { jobIdsOf, TASK_POLL_INTERVAL_MS, type TaskRow, taskOf, taskTtl } from './model';
import type { TaskTool } from './tool';

/** How long one tasks/result request may wait; longer than any job runs before the sweeper ends it. */
export const TASK_RESULT_MAX_SECONDS = 15 * 60;

/** Server capability (2025-11-25): task-augmented tools/call, tasks/list and tasks/cancel. */
export const TASKS_CAPABILITY = { list: {}, cancel: {}, requests: { tools: { call: {} } } };

type WrapHandler = (
  method: string,
  handler: (request: JSONRPCRequest, ctx: ServerContext) => Promise<Result>,
) => (request: JSONRPCRequest, ctx: ServerContext) => Promise<Result>;

/** A refusal before any task exists, in JSON-RPC terms (a CreateTaskResult cannot carry isError). */
function refusal(error: unknown): unknown {
  if (!(error instanceof AppError)) return error;
  const invalid = ['bad_request', 'not_found', 'payload_too_large'].includes(error.code);
  return new ProtocolError(invalid ? ProtocolErrorCode.InvalidParams : ProtocolErrorCode.InvalidRequest, error.message);
}

const notFound = (taskId: string) => new ProtocolError(ProtocolErrorCode.InvalidParams, `Task not found: ${taskId}`);

const TERMINAL: ReadonlySet<Task['status']> = new Set(['completed', 'failed', 'cancelled']);

async function viewOf(ctx: RequestContext, row: TaskRow): Promise<Task> {
  const states = await ctx.tasks.jobStates([row]);
  return taskOf(row, states.get(row.id) ?? []);
}

async function taskRow(ctx: RequestContext, taskId: string): Promise<TaskRow> {
  const row = await ctx.tasks.get(taskId);
  if (!row) throw notFound(taskId);
  return row;
}

/**
 * Call before any tool is registered: the SDK installs its tools/call handler with the first tool, and this
 * puts task-augmented calls in front of it. Only for instances serving the 2025 era.
 */
export function enableTasks(server: McpServer, ctx: RequestContext, tools: Readonly<Record<string, TaskTool>>): void {
  const protocol = server.server;
  protocol.registerCapabilities({ tasks: TASKS_CAPABILITY });

  const startTask = async (
    request: Pick<CallToolRequest, 'params'> & { params: { task?: { ttl?: number | null } } },
  ): Promise<CreateTaskResult> => {
    const { name, arguments: args, task: params } = request.params;
    const tool = tools[name];
    if (!tool)
      throw new ProtocolError(
        ProtocolErrorCode.MethodNotFound,
        `Tool ${name} does not support tasks; call it without params.task.`,
      );
    const started = await tool.start(ctx, args).catch((error: unknown) => Promise.reject(refusal(error)));
    const jobIds = started.jobs.map((j) => j.id);
    const row = await ctx.tasks.create({
      tool: name,
      jobIds,
      preview: started.preview,
      ttlMs: taskTtl(params?.ttl ?? undefined),
      pollIntervalMs: TASK_POLL_INTERVAL_MS,
    });
    log.info('task created', { task_id: row.id, subject: ctx.subject, tool: name, job_ids: jobIds });
    const images = jobIds.length === 1 ? 'one image' : `${jobIds.length} images`;
    return {
      task: await viewOf(ctx, row),
      _meta: {
        'io.modelcontextprotocol/model-immediate-response': `Generating ${images} as task ${row.id}; the result follows when it is done.`,
      },
    };
  };

  // tools/call is wrapped, not rewritten: plain calls reach the SDK's own handler. The wrap sits where the SDK
  // wraps handlers (its documented `_wrapHandler` hook), because only there is the raw request still whole:
  // the SDK's parse for the handler drops `params.task`, which no longer exists in its neutral types.
  const hooks = protocol as unknown as { _wrapHandler: WrapHandler };
  const wrap = hooks._wrapHandler.bind(protocol);
  hooks._wrapHandler = (method, handler) => {
    const wrapped = wrap(method, handler);
    if (method !== 'tools/call') return wrapped;
    return async (request, extra) => {
      if ((request.params as { task?: unknown } | undefined)?.task === undefined) return wrapped(request, extra);
      const parsed = CallToolRequestSchema.safeParse(request);
      if (!parsed.success)
        throw new ProtocolError(
          ProtocolErrorCode.InvalidParams,
          `Invalid params for tools/call: ${parsed.error.message}`,
        );
      return startTask(parsed.data);
    };
  };

  // Task methods left the SDK's typed method map with 2026-07-28, so they register in the explicit-schema form.
  protocol.setRequestHandler('tasks/get', { params: GetTaskRequestSchema.shape.params }, async ({ taskId }) =>
    viewOf(ctx, await taskRow(ctx, taskId)),
  );

  protocol.setRequestHandler('tasks/list', { params: ListTasksRequestSchema.shape.params.unwrap() }, async (params) => {
    const page = await ctx.tasks.list(params.cursor);
    if (!page) throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'Failed to list tasks: Invalid cursor');
    const states = await ctx.tasks.jobStates(page.rows);
    const tasks = page.rows.map((row) => taskOf(row, states.get(row.id) ?? []));
    return page.nextCursor ? { tasks, nextCursor: page.nextCursor } : { tasks };
  });

  protocol.setRequestHandler('tasks/cancel', { params: CancelTaskRequestSchema.shape.params }, async ({ taskId }) => {
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
  protocol.setRequestHandler(
    'tasks/result',
    { params: GetTaskPayloadRequestSchema.shape.params },
    async ({ taskId }, extra) => {
      const row = await taskRow(ctx, taskId);
      const ids = jobIdsOf(row);
      const { jobs, done } = await waitForJobs(() => ctx.store.getMany(ctx.subject, ids), {
        timeoutMs: TASK_RESULT_MAX_SECONDS * 1000,
        signal: extra.mcpReq.signal,
      });
      if (!done)
        throw new ProtocolError(
          ProtocolErrorCode.InternalError,
          `Task ${taskId} is still working after ${TASK_RESULT_MAX_SECONDS}s: call tasks/result again, or poll tasks/get.`,
        );
      const result = await reportJobs(ctx, ids, jobs, {
        done,
        timeoutSeconds: TASK_RESULT_MAX_SECONDS,
        preview: row.preview === 1,
      });
      return { ...result, _meta: { ...result._meta, [RELATED_TASK_META_KEY]: { taskId } } };
    },
  );
}
