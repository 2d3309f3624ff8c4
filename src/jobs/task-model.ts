/** The pure rules of an MCP task here: its status is derived from its jobs, its lifetime is bounded. */
import type { Task } from '@modelcontextprotocol/server';
import { isTerminal, type JobStatus } from './model';

/** How often clients are asked to poll tasks/get: images take seconds, not milliseconds. */
export const TASK_POLL_INTERVAL_MS = 2000;
const MINUTE = 60_000;
export const TASK_TTL = { default: 24 * 60 * MINUTE, min: MINUTE, max: 7 * 24 * 60 * MINUTE };

/** The ttl asked for, clamped to what this server keeps (the spec lets a receiver override it). */
export function taskTtl(requested: number | undefined): number {
  if (requested === undefined || !Number.isFinite(requested)) return TASK_TTL.default;
  return Math.min(TASK_TTL.max, Math.max(TASK_TTL.min, Math.round(requested)));
}

/** One row of the tasks table. */
export interface TaskRow {
  id: string;
  subject: string;
  tool: string;
  job_ids: string;
  preview: number;
  ttl_ms: number;
  poll_interval_ms: number;
  created_at: number;
  cancelled_at: number | null;
  status_message: string | null;
}

/** What a task's status needs of each of its jobs. */
export interface JobState {
  status: JobStatus;
  error: string | null;
  updated_at: number;
}

export function jobIdsOf(row: Pick<TaskRow, 'job_ids'>): string[] {
  return JSON.parse(row.job_ids) as string[];
}

/**
 * working while any job is open; cancelled once cancelled (and for good, whatever the jobs do next);
 * failed when every job failed (the tool's own result then says "failed"); completed otherwise, partial
 * failures included, since the tool call itself succeeded and its result tells which images failed.
 * Jobs deleted since (delete_image, retention) were finished, so they only drop out of the count.
 */
export function taskOf(row: TaskRow, jobs: readonly JobState[]): Task {
  const lastUpdated = Math.max(row.created_at, row.cancelled_at ?? 0, ...jobs.map((j) => j.updated_at));
  const base = {
    taskId: row.id,
    ttl: row.ttl_ms,
    createdAt: new Date(row.created_at).toISOString(),
    lastUpdatedAt: new Date(lastUpdated).toISOString(),
    pollInterval: row.poll_interval_ms,
  };
  const total = jobIdsOf(row).length;
  const finished = jobs.filter((j) => isTerminal(j.status));
  const failed = finished.filter((j) => j.status === 'failed');
  const noun = total === 1 ? 'image' : 'images';
  if (row.cancelled_at !== null)
    return { ...base, status: 'cancelled', statusMessage: row.status_message ?? 'Cancelled by request.' };
  if (finished.length < jobs.length)
    return { ...base, status: 'working', statusMessage: `${finished.length}/${total} ${noun} finished.` };
  if (jobs.length > 0 && failed.length === jobs.length)
    return { ...base, status: 'failed', statusMessage: failed[0]?.error ?? 'The image job failed.' };
  const note = failed.length > 0 ? ` (${failed.length} failed)` : '';
  return { ...base, status: 'completed', statusMessage: `${total - failed.length}/${total} ${noun} ready${note}.` };
}

/** Keyset position in the newest-first list, as an opaque cursor. */
export function encodeCursor(row: Pick<TaskRow, 'created_at' | 'id'>): string {
  return btoa(JSON.stringify([row.created_at, row.id]))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

export function decodeCursor(cursor: string): { createdAt: number; id: string } | null {
  try {
    const value: unknown = JSON.parse(atob(cursor.replace(/-/g, '+').replace(/_/g, '/')));
    if (!Array.isArray(value) || typeof value[0] !== 'number' || typeof value[1] !== 'string') return null;
    return { createdAt: value[0], id: value[1] };
  } catch {
    return null;
  }
}
