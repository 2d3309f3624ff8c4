/**
 * The D1 tasks table, always read through a subject: another subject's task id answers exactly like a
 * missing one, and so does an expired task. A task's status is never stored; it is read off its jobs.
 */
import type { JobStore } from './store';
import { decodeCursor, encodeCursor, type JobState, jobIdsOf, type TaskRow } from './task-model';

export interface NewTask {
  tool: string;
  jobIds: readonly string[];
  preview: boolean;
  ttlMs: number;
  pollIntervalMs: number;
}

export const TASK_PAGE_SIZE = 20;

export class TaskStore {
  constructor(
    private readonly db: D1Database,
    private readonly subject: string,
    private readonly now: () => number = Date.now,
  ) {}

  async create(task: NewTask): Promise<TaskRow> {
    const row: TaskRow = {
      id: crypto.randomUUID(),
      subject: this.subject,
      tool: task.tool,
      job_ids: JSON.stringify(task.jobIds),
      preview: task.preview ? 1 : 0,
      ttl_ms: task.ttlMs,
      poll_interval_ms: task.pollIntervalMs,
      created_at: this.now(),
      cancelled_at: null,
      status_message: null,
    };
    await this.db
      .prepare(
        `INSERT INTO tasks (id, subject, tool, job_ids, preview, ttl_ms, poll_interval_ms, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .bind(row.id, row.subject, row.tool, row.job_ids, row.preview, row.ttl_ms, row.poll_interval_ms, row.created_at)
      .run();
    return row;
  }

  async get(id: string): Promise<TaskRow | null> {
    return this.db
      .prepare('SELECT * FROM tasks WHERE id = ? AND subject = ? AND created_at + ttl_ms > ?')
      .bind(id, this.subject, this.now())
      .first<TaskRow>();
  }

  /** Newest first, TASK_PAGE_SIZE at a time; null when the cursor is not one this server gave out. */
  async list(cursor: string | undefined): Promise<{ rows: TaskRow[]; nextCursor?: string } | null> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    if (after === null) return null;
    const { results } = await this.db
      .prepare(
        `SELECT * FROM tasks WHERE subject = ? AND created_at + ttl_ms > ? ${after ? 'AND (created_at, id) < (?, ?)' : ''}
         ORDER BY created_at DESC, id DESC LIMIT ?`,
      )
      .bind(this.subject, this.now(), ...(after ? [after.createdAt, after.id] : []), TASK_PAGE_SIZE + 1)
      .all<TaskRow>();
    const rows = results.slice(0, TASK_PAGE_SIZE);
    const last = rows.at(-1);
    return results.length > TASK_PAGE_SIZE && last ? { rows, nextCursor: encodeCursor(last) } : { rows };
  }

  /** The state of every job of each task, in one query (json_each keeps it within D1's bound-parameter limit). */
  async jobStates(rows: readonly TaskRow[]): Promise<Map<string, JobState[]>> {
    const states = new Map<string, JobState[]>(rows.map((r) => [r.id, []]));
    if (rows.length === 0) return states;
    const { results } = await this.db
      .prepare(
        `SELECT t.id AS task_id, j.status, j.error, j.updated_at
         FROM tasks t, json_each(t.job_ids) e JOIN jobs j ON j.id = e.value AND j.subject = t.subject
         WHERE t.subject = ? AND t.id IN (${rows.map(() => '?').join(', ')})`,
      )
      .bind(this.subject, ...rows.map((r) => r.id))
      .all<JobState & { task_id: string }>();
    for (const { task_id, ...state } of results) states.get(task_id)?.push(state);
    return states;
  }

  /**
   * Marks the task cancelled and fails its open jobs (error_code 'cancelled'), so the queue consumer skips
   * them and a running one is cut off at its next check. Returns false if it was cancelled already.
   */
  async cancel(row: TaskRow, message: string, jobs: Pick<JobStore, 'fail'>): Promise<boolean> {
    const now = this.now();
    const changed = await this.db
      .prepare(
        `UPDATE tasks SET cancelled_at = ?, status_message = ? WHERE id = ? AND subject = ? AND cancelled_at IS NULL`,
      )
      .bind(now, message, row.id, this.subject)
      .run();
    if (changed.meta.changes === 0) return false;
    await jobs.fail(jobIdsOf(row), now, 'Cancelled by request (tasks/cancel).', 'cancelled');
    return true;
  }
}

/** Deletes tasks past their ttl (their jobs and images stay; retention handles those). */
export async function pruneTasks(db: D1Database, now: number): Promise<number> {
  const result = await db.prepare('DELETE FROM tasks WHERE created_at + ttl_ms <= ?').bind(now).run();
  return result.meta.changes;
}
