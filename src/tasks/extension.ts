/**
 * The Tasks extension (`io.modelcontextprotocol/tasks`, SEP-2663) for 2026-07-28 clients, over the same D1
 * tasks table as the 2025 form. Wire format from the extension's specification and schema
 * (github.com/modelcontextprotocol/ext-tasks, specification/draft/tasks.md and schema/draft/schema.ts, which
 * `@modelcontextprotocol/ext-tasks` 0.2.2 pins to 2026-07-28):
 * - a client opts in per request (`extensions` in its `io.modelcontextprotocol/clientCapabilities`); the server
 *   then decides: the waiting tools (generate_image_and_wait, edit_image) answer with a task handle at once,
 *   `resultType: "task"`, instead of holding the request open;
 * - `tasks/get` returns the task, with the tool's own result inlined once it is done (a partial or failed batch
 *   is a completed task whose result says so, as the tool's result would); `tasks/update` acknowledges (no task
 *   here ever waits for input); `tasks/cancel` cancels, and acknowledges a finished task too;
 * - there is no `tasks/list` or `tasks/result`; a client that did not declare the extension gets -32021.
 * The SDK (2.4) lets `tasks/get` and `tasks/cancel` through its 2026 method gate when registered with a params
 * schema, as here, and checks their Mcp-Name header against params.taskId.
 */
import { type McpServer, MissingRequiredClientCapabilityError, type ServerContext } from '@modelcontextprotocol/server';
import * as z from 'zod';
import type { RequestContext } from '../calls/context';
import { clientCapabilitiesOf } from '../calls/envelope';
import { canElicit } from '../calls/paid-confirmation';
import { jobIdsOf, type TaskRow } from '../jobs/task-model';
import { log } from '../log';
import { PaidProviderError } from '../providers/routing';
import { reportJobs } from '../tools/wait-result';
import { interceptToolCalls, refusal, startTask, TERMINAL, taskRow, viewOf } from './start';
import type { TaskTool } from './tool';

export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

function declaresTasks(server: McpServer, extra: ServerContext): boolean {
  const extensions = clientCapabilitiesOf(server, extra).extensions;
  return typeof extensions === 'object' && extensions !== null && Object.hasOwn(extensions, TASKS_EXTENSION);
}

function requireTasks(server: McpServer, extra: ServerContext): void {
  if (!declaresTasks(server, extra))
    throw new MissingRequiredClientCapabilityError({ requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } });
}

/** The task as the extension spells it: `ttlMs` and `pollIntervalMs`, no 2025 `ttl` / `pollInterval`. */
async function detailed(ctx: RequestContext, row: TaskRow, withResult: boolean) {
  const { ttl: _ttl, pollInterval: _pollInterval, status, ...task } = await viewOf(ctx, row);
  // The extension has no "failed" for a batch whose images failed: the tool still answered, and says so.
  const settled = status === 'failed' ? 'completed' : status;
  const base = { ...task, status: settled, ttlMs: row.ttl_ms, pollIntervalMs: row.poll_interval_ms };
  if (!withResult || settled !== 'completed') return base;
  const ids = jobIdsOf(row);
  const jobs = await ctx.store.getMany(ctx.subject, ids);
  const result = await reportJobs(ctx, ids, jobs, {
    done: true,
    timeoutSeconds: 0,
    preview: row.preview === 1 ? 'previews' : 'none',
  });
  return { ...base, result };
}

const TaskParams = z.object({ taskId: z.string() });

/** Call before any tool is registered (see interceptToolCalls). Only for instances serving 2026-07-28. */
export function enableTaskExtension(
  server: McpServer,
  ctx: RequestContext,
  tools: ReadonlyMap<string, TaskTool>,
): void {
  const protocol = server.server;
  protocol.registerCapabilities({ extensions: { [TASKS_EXTENSION]: {} } });

  interceptToolCalls(server, (request, extra, next) => {
    const params = request.params as { name?: unknown; arguments?: unknown } | undefined;
    const tool = typeof params?.name === 'string' ? tools.get(params.name) : undefined;
    if (!tool || !declaresTasks(server, extra)) return undefined;
    return (async () => {
      try {
        const row = await startTask(ctx, tool, { name: params!.name as string, args: params!.arguments });
        return { ...(await detailed(ctx, row, false)), resultType: 'task' };
      } catch (error) {
        // A paid provider the person has not confirmed: the plain call asks them first (and is not a task).
        if (error instanceof PaidProviderError && canElicit(server, extra)) return next();
        throw refusal(error);
      }
    })();
  });

  protocol.setRequestHandler('tasks/get', { params: TaskParams }, async ({ taskId }, extra) => {
    requireTasks(server, extra);
    return detailed(ctx, await taskRow(ctx, taskId), true);
  });

  protocol.setRequestHandler('tasks/update', { params: TaskParams.loose() }, async ({ taskId }, extra) => {
    requireTasks(server, extra);
    await taskRow(ctx, taskId);
    return {};
  });

  protocol.setRequestHandler('tasks/cancel', { params: TaskParams }, async ({ taskId }, extra) => {
    requireTasks(server, extra);
    const row = await taskRow(ctx, taskId);
    if (
      !TERMINAL.has((await viewOf(ctx, row)).status) &&
      (await ctx.tasks.cancel(row, 'Cancelled by the client.', ctx.store))
    )
      log.info('task cancelled', { task_id: row.id, subject: ctx.subject, job_ids: jobIdsOf(row) });
    return {};
  });
}
