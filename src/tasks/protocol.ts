/**
 * Task-augmented tools/call (MCP 2025-11-25). The SDK's own route to it (registerToolTask) also reroutes the
 * plain call through a poll loop without timeout_seconds, progress or early "running", so the tools stay
 * ordinary tools here and only a call carrying params.task is turned into a task: its jobs are queued, a
 * task row ties them together, and CreateTaskResult goes back at once. tasks/get, tasks/list and
 * tasks/cancel are the SDK's, over D1TaskStore; tasks/result is answered here, waiting on the jobs.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  type CallToolRequest,
  CallToolRequestSchema,
  type CreateTaskResult,
  ErrorCode,
  GetTaskPayloadRequestSchema,
  McpError,
  RELATED_TASK_META_KEY,
  type ServerNotification,
  type ServerRequest,
  type ServerResult,
} from '@modelcontextprotocol/sdk/types.js';
import { AppError } from '../errors';
import { waitForJobs } from '../jobs/wait';
import type { RequestContext } from '../mcp/context';
import { reportJobs } from '../tools/wait-result';
import { jobIdsOf, TASK_POLL_INTERVAL_MS } from './model';
import type { D1TaskStore } from './sdk-store';
import type { TaskTool } from './tool';

/** How long one tasks/result request may wait; longer than any job runs before the sweeper ends it. */
export const TASK_RESULT_MAX_SECONDS = 15 * 60;

/** Server capability: task-augmented tools/call, tasks/list and tasks/cancel. */
export const TASKS_CAPABILITY = { list: {}, cancel: {}, requests: { tools: { call: {} } } };

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;
type CallHandler = (request: CallToolRequest, extra: Extra) => ServerResult | Promise<ServerResult>;

/** A refusal before any task exists, in JSON-RPC terms (a CreateTaskResult cannot carry isError). */
function refusal(error: unknown): unknown {
  if (!(error instanceof AppError)) return error;
  const invalid = ['bad_request', 'not_found', 'payload_too_large'].includes(error.code);
  return new McpError(invalid ? ErrorCode.InvalidParams : ErrorCode.InvalidRequest, error.message);
}

/**
 * Call before any tool is registered: the SDK installs its tools/call handler with the first tool, and this
 * puts task-augmented calls in front of it.
 */
export function enableTasks(
  server: McpServer,
  ctx: RequestContext,
  store: D1TaskStore,
  tools: Readonly<Record<string, TaskTool>>,
): void {
  const startTask = async (request: CallToolRequest, extra: Extra): Promise<CreateTaskResult> => {
    const { name, arguments: args, task: params } = request.params;
    const tool = tools[name];
    if (!tool)
      throw new McpError(ErrorCode.MethodNotFound, `Tool ${name} does not support tasks; call it without params.task.`);
    const started = await tool.start(ctx, args).catch((error: unknown) => Promise.reject(refusal(error)));
    const jobIds = started.jobs.map((j) => j.id);
    const task = await store.createTask(
      {
        ttl: params?.ttl,
        pollInterval: TASK_POLL_INTERVAL_MS,
        context: { tool: name, jobIds, preview: started.preview },
      },
      extra.requestId,
      request,
    );
    const images = jobIds.length === 1 ? 'one image' : `${jobIds.length} images`;
    return {
      task,
      _meta: {
        'io.modelcontextprotocol/model-immediate-response': `Generating ${images} as task ${task.taskId}; the result follows when it is done.`,
      },
    };
  };

  const protocol = server.server;
  const install = protocol.setRequestHandler.bind(protocol);
  // The one handler replaced is tools/call, wrapped rather than rewritten: plain calls reach the SDK's own.
  protocol.setRequestHandler = ((schema: typeof CallToolRequestSchema, handler: CallHandler) => {
    if (schema !== CallToolRequestSchema) return install(schema, handler);
    return install(CallToolRequestSchema, (request, extra) =>
      request.params.task ? startTask(request, extra) : handler(request, extra),
    );
  }) as typeof protocol.setRequestHandler;

  // tasks/result blocks until the task is terminal (spec), polling its jobs the way the wait tools do (backing
  // off to one D1 read a second). Jobs end on their own (retries are bounded, the cron fails stuck ones), so
  // the cap is only a backstop against a request polling for ever; past it the client asks again.
  install(GetTaskPayloadRequestSchema, async (request, extra) => {
    const { taskId } = request.params;
    const row = await ctx.tasks.get(taskId);
    if (!row) throw new McpError(ErrorCode.InvalidParams, 'Failed to retrieve task: Task not found');
    const ids = jobIdsOf(row);
    const { jobs, done } = await waitForJobs(() => ctx.store.getMany(ctx.subject, ids), {
      timeoutMs: TASK_RESULT_MAX_SECONDS * 1000,
      signal: extra.signal,
    });
    if (!done)
      throw new McpError(
        ErrorCode.RequestTimeout,
        `Task ${taskId} is still working after ${TASK_RESULT_MAX_SECONDS}s: call tasks/result again, or poll tasks/get.`,
      );
    const result = await reportJobs(ctx, ids, jobs, {
      done,
      timeoutSeconds: TASK_RESULT_MAX_SECONDS,
      preview: row.preview === 1,
    });
    return { ...result, _meta: { ...result._meta, [RELATED_TASK_META_KEY]: { taskId } } };
  });
}
