/**
 * The SDK's TaskStore over the D1 tasks table for one request's subject. Given to the server, it lets the SDK
 * answer tasks/get, tasks/list and tasks/cancel from any isolate; status and result are read off the jobs.
 */
import type { CreateTaskOptions, TaskStore as SdkTaskStore } from '@modelcontextprotocol/sdk/experimental/tasks';
import type { Request, RequestId, Result, Task } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { log } from '../log';
import type { RequestContext } from '../mcp/context';
import { reportJobs } from '../tools/wait-result';
import { jobIdsOf, TASK_POLL_INTERVAL_MS, type TaskRow, taskOf, taskTtl } from './model';

/** What createTask needs beyond ttl: the tool and the jobs it queued (see protocol.ts). */
const TaskContext = z.object({ tool: z.string(), jobIds: z.array(z.string()).min(1), preview: z.boolean() });
export type TaskContext = z.infer<typeof TaskContext>;

export class D1TaskStore implements SdkTaskStore {
  constructor(private readonly ctx: RequestContext) {}

  private async view(row: TaskRow): Promise<Task> {
    const states = await this.ctx.tasks.jobStates([row]);
    return taskOf(row, states.get(row.id) ?? []);
  }

  async createTask(options: CreateTaskOptions, _requestId: RequestId, _request: Request): Promise<Task> {
    const context = TaskContext.parse(options.context);
    const row = await this.ctx.tasks.create({
      tool: context.tool,
      jobIds: context.jobIds,
      preview: context.preview,
      ttlMs: taskTtl(options.ttl ?? undefined),
      pollIntervalMs: options.pollInterval ?? TASK_POLL_INTERVAL_MS,
    });
    log.info('task created', { task_id: row.id, subject: this.ctx.subject, tool: row.tool, job_ids: context.jobIds });
    return this.view(row);
  }

  async getTask(taskId: string): Promise<Task | null> {
    const row = await this.ctx.tasks.get(taskId);
    return row && this.view(row);
  }

  /** Nothing to store: a task's result is rebuilt from its jobs whenever it is asked for. */
  async storeTaskResult(): Promise<void> {}

  async getTaskResult(taskId: string): Promise<Result> {
    const row = await this.ctx.tasks.get(taskId);
    if (!row) throw new Error('Task not found');
    const ids = jobIdsOf(row);
    const jobs = await this.ctx.store.getMany(this.ctx.subject, ids);
    return reportJobs(this.ctx, ids, jobs, { done: true, timeoutSeconds: 0, preview: row.preview === 1 });
  }

  /** Only cancellation is ever applied; every other status follows from the jobs. */
  async updateTaskStatus(taskId: string, status: Task['status'], statusMessage?: string): Promise<void> {
    if (status !== 'cancelled') return;
    const row = await this.ctx.tasks.get(taskId);
    if (!row) return;
    if (await this.ctx.tasks.cancel(row, statusMessage ?? 'Cancelled by request.', this.ctx.store))
      log.info('task cancelled', { task_id: row.id, subject: this.ctx.subject, job_ids: jobIdsOf(row) });
  }

  async listTasks(cursor?: string): Promise<{ tasks: Task[]; nextCursor?: string }> {
    const page = await this.ctx.tasks.list(cursor);
    if (!page) throw new Error('Invalid cursor');
    const states = await this.ctx.tasks.jobStates(page.rows);
    const tasks = page.rows.map((row) => taskOf(row, states.get(row.id) ?? []));
    return page.nextCursor ? { tasks, nextCursor: page.nextCursor } : { tasks };
  }
}
