/**
 * What both task forms share: putting a handler in front of the SDK's tools/call, and starting a task from a
 * tool call (its jobs queued, one row tying them together) that any isolate can then answer for.
 */
import {
  type JSONRPCRequest,
  type McpServer,
  ProtocolError,
  ProtocolErrorCode,
  type Result,
  type ServerContext,
  type Task,
} from '@modelcontextprotocol/server';
import type { RequestContext } from '../calls/context';
import { AppError } from '../errors';
import { TASK_POLL_INTERVAL_MS, type TaskRow, taskOf, taskTtl } from '../jobs/task-model';
import { log } from '../log';
import type { TaskTool } from './tool';

type Handler = (request: JSONRPCRequest, ctx: ServerContext) => Promise<Result>;
type WrapHandler = (method: string, handler: Handler) => Handler;

/**
 * A handler that answers a tools/call itself, or returns undefined to let the tool run as usual; `next` runs
 * the tool as usual from inside its answer.
 */
export type ToolCallIntercept = (
  request: JSONRPCRequest,
  ctx: ServerContext,
  next: () => Promise<Result>,
) => Promise<Result> | undefined;

/**
 * Call before any tool is registered. The wrap sits where the SDK wraps handlers (`_wrapHandler`, a protected
 * hook the SDK keeps for subclasses: relied on here and covered by the task tests, with the SDK pinned to a
 * minor line), outside the SDK's own tools/call checks, because only there is the raw request whole (the SDK's
 * parse drops the 2025 `params.task`) and only there may the answer be a task instead of a tool result.
 */
export function interceptToolCalls(server: McpServer, intercept: ToolCallIntercept): void {
  const hooks = server.server as unknown as { _wrapHandler: WrapHandler };
  const wrap = hooks._wrapHandler.bind(server.server);
  hooks._wrapHandler = (method, handler) => {
    const wrapped = wrap(method, handler);
    if (method !== 'tools/call') return wrapped;
    return (request, ctx) => intercept(request, ctx, () => wrapped(request, ctx)) ?? wrapped(request, ctx);
  };
}

/** A refusal before any task exists, in JSON-RPC terms (a task result cannot carry isError). */
export function refusal(error: unknown): unknown {
  if (!(error instanceof AppError)) return error;
  const invalid = ['bad_request', 'not_found', 'payload_too_large'].includes(error.code);
  return new ProtocolError(invalid ? ProtocolErrorCode.InvalidParams : ProtocolErrorCode.InvalidRequest, error.message);
}

export async function startTask(
  ctx: RequestContext,
  tool: TaskTool,
  call: { name: string; args: unknown; ttl?: number | null | undefined },
): Promise<TaskRow> {
  const started = await tool.start(ctx, call.args);
  const jobIds = started.jobs.map((j) => j.id);
  const row = await ctx.tasks.create({
    tool: call.name,
    jobIds,
    preview: started.preview,
    ttlMs: taskTtl(call.ttl ?? undefined),
    pollIntervalMs: TASK_POLL_INTERVAL_MS,
  });
  log.info('task created', { task_id: row.id, subject: ctx.subject, tool: call.name, job_ids: jobIds });
  return row;
}

export async function viewOf(ctx: RequestContext, row: TaskRow): Promise<Task> {
  const states = await ctx.tasks.jobStates([row]);
  return taskOf(row, states.get(row.id) ?? []);
}

/** Another subject's task, an expired one and a missing one all answer this way. */
export async function taskRow(ctx: RequestContext, taskId: string): Promise<TaskRow> {
  const row = await ctx.tasks.get(taskId);
  if (!row) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Task not found: ${taskId}`);
  return row;
}

export const TERMINAL: ReadonlySet<Task['status']> = new Set(['completed', 'failed', 'cancelled']);
