/**
 * The D1 job table. Every status change is a single conditional UPDATE, so concurrent or repeated
 * deliveries cannot move a job backwards or finish it twice.
 */
import type { Job, JobStatus } from './model';

export type NewJob = Pick<
  Job,
  | 'id'
  | 'subject'
  | 'batch_id'
  | 'prompt'
  | 'negative_prompt'
  | 'requested_provider'
  | 'provider'
  | 'model'
  | 'width'
  | 'height'
  | 'seed'
  | 'params'
  | 'route_reason'
  | 'adaptations'
  | 'cost_usd'
> &
  Partial<Pick<Job, 'source_ids' | 'mask_id' | 'style'>>;

export interface StoredImage {
  revised_prompt?: string | null;
  provider_meta?: string | null;
  image_key: string;
  content_type: string;
  image_bytes: number;
  provider: string;
  model: string;
  seed: number | null;
  width: number;
  height: number;
  /** When the provider returned the image; absent when it was already stored by an earlier delivery. */
  provider_done_at?: number | null;
  /** When the image was written to R2. */
  stored_at?: number | null;
}

export interface ListOptions {
  status?: JobStatus | undefined;
  limit: number;
  offset: number;
}

/** A place in the newest-first image order: the row's creation time and id (the tie-breaker). */
export interface ImagePosition {
  createdAt: number;
  id: string;
}

const OPEN = `status IN ('pending', 'processing')`;

export class JobStore {
  constructor(private readonly db: D1Database) {}

  /** Inserts all rows in one implicit transaction; either every job exists or none does. */
  async create(jobs: readonly NewJob[], now: number): Promise<void> {
    const insert = this.db.prepare(
      `INSERT INTO jobs (id, subject, batch_id, status, prompt, negative_prompt, requested_provider, provider, model,
         width, height, seed, params, route_reason, adaptations, cost_usd, source_ids, mask_id, style, created_at,
         updated_at)
       VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    await this.db.batch(
      jobs.map((j) =>
        insert.bind(
          j.id,
          j.subject,
          j.batch_id,
          j.prompt,
          j.negative_prompt,
          j.requested_provider,
          j.provider,
          j.model,
          j.width,
          j.height,
          j.seed,
          j.params,
          j.route_reason,
          j.adaptations,
          j.cost_usd,
          j.source_ids ?? null,
          j.mask_id ?? null,
          j.style ?? null,
          now,
          now,
        ),
      ),
    );
  }

  async get(subject: string, id: string): Promise<Job | null> {
    return this.db.prepare('SELECT * FROM jobs WHERE id = ? AND subject = ?').bind(id, subject).first<Job>();
  }

  /** The caller's jobs among `ids`, in the order asked for; ids of other subjects are simply absent. */
  async getMany(subject: string, ids: readonly string[]): Promise<Job[]> {
    if (ids.length === 0) return [];
    const marks = ids.map(() => '?').join(', ');
    const { results } = await this.db
      .prepare(`SELECT * FROM jobs WHERE subject = ? AND id IN (${marks})`)
      .bind(subject, ...ids)
      .all<Job>();
    const byId = new Map(results.map((j) => [j.id, j]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /** Newest first. Fetches one extra row to tell whether there is a next page without a COUNT. */
  async list(subject: string, options: ListOptions): Promise<{ jobs: Job[]; hasMore: boolean }> {
    const where = options.status ? 'subject = ? AND status = ?' : 'subject = ?';
    const params: unknown[] = options.status ? [subject, options.status] : [subject];
    const { results } = await this.db
      .prepare(`SELECT * FROM jobs WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`)
      .bind(...params, options.limit + 1, options.offset)
      .all<Job>();
    return { jobs: results.slice(0, options.limit), hasMore: results.length > options.limit };
  }

  /**
   * Finished images, newest first, strictly older than the `before` position (keyset paging, so a page does
   * not shift when new images arrive). Fetches one extra row to tell whether there is an older page.
   */
  async listImages(
    subject: string,
    options: { before?: ImagePosition | undefined; limit: number },
  ): Promise<{ jobs: Job[]; hasMore: boolean }> {
    const { before, limit } = options;
    const older = before ? 'AND (created_at, id) < (?, ?)' : '';
    const { results } = await this.db
      .prepare(
        `SELECT * FROM jobs WHERE subject = ? AND status = 'completed' ${older}
         ORDER BY created_at DESC, id DESC LIMIT ?`,
      )
      .bind(subject, ...(before ? [before.createdAt, before.id] : []), limit + 1)
      .all<Job>();
    return { jobs: results.slice(0, limit), hasMore: results.length > limit };
  }

  /** Ids of the subject's finished images starting with `prefix`, newest first: completions for image ids. */
  async imageIdsStartingWith(subject: string, prefix: string, limit: number): Promise<string[]> {
    const { results } = await this.db
      .prepare(
        `SELECT id FROM jobs WHERE subject = ? AND status = 'completed' AND substr(id, 1, ?) = ?
         ORDER BY created_at DESC, id DESC LIMIT ?`,
      )
      .bind(subject, prefix.length, prefix, limit)
      .all<{ id: string }>();
    return results.map((r) => r.id);
  }

  /**
   * Takes the job for processing unless it is finished or another delivery holds an unexpired lease.
   * Returns the row as claimed, or null with the reason.
   */
  async claim(id: string, now: number, leaseMs: number): Promise<{ job: Job } | { job: null; current: Job | null }> {
    const job = await this.db
      .prepare(
        `UPDATE jobs SET status = 'processing', attempts = attempts + 1, lease_until = ?1 + ?2,
           started_at = COALESCE(started_at, ?1), updated_at = ?1
         WHERE id = ?3 AND (status = 'pending' OR (status = 'processing' AND COALESCE(lease_until, 0) <= ?1))
         RETURNING *`,
      )
      .bind(now, leaseMs, id)
      .first<Job>();
    if (job) return { job };
    const current = await this.db.prepare('SELECT * FROM jobs WHERE id = ?').bind(id).first<Job>();
    return { job: null, current };
  }

  /** Gives the lease back after a retryable failure so the redelivery can claim at once. */
  async release(id: string, now: number, error: string, code: string): Promise<void> {
    await this.db
      .prepare(
        `UPDATE jobs SET lease_until = NULL, error = ?, error_code = ?, updated_at = ?
         WHERE id = ? AND status = 'processing'`,
      )
      .bind(error, code, now, id)
      .run();
  }

  async complete(id: string, now: number, image: StoredImage): Promise<boolean> {
    const result = await this.db
      .prepare(
        `UPDATE jobs SET status = 'completed', image_key = ?, content_type = ?, image_bytes = ?, provider = ?,
           model = ?, seed = ?, width = ?, height = ?, revised_prompt = ?, provider_meta = ?, progress = 1,
           provider_done_at = COALESCE(?, provider_done_at), stored_at = COALESCE(?, stored_at),
           error = NULL, error_code = NULL, lease_until = NULL, completed_at = ?, updated_at = ?
         WHERE id = ? AND status = 'processing'`,
      )
      .bind(
        image.image_key,
        image.content_type,
        image.image_bytes,
        image.provider,
        image.model,
        image.seed,
        image.width,
        image.height,
        image.revised_prompt ?? null,
        image.provider_meta ?? null,
        image.provider_done_at ?? null,
        image.stored_at ?? null,
        now,
        now,
        id,
      )
      .run();
    return result.meta.changes > 0;
  }

  /** The job's status now, whoever owns it (the consumer's check for a job cancelled while it ran). */
  async statusOf(id: string): Promise<JobStatus | null> {
    const row = await this.db.prepare('SELECT status FROM jobs WHERE id = ?').bind(id).first<{ status: JobStatus }>();
    return row?.status ?? null;
  }

  /** Records how far a long generation has got (0–1), for get_job_status. */
  async progress(id: string, fraction: number, now: number): Promise<void> {
    await this.db
      .prepare(`UPDATE jobs SET progress = ?, updated_at = ? WHERE id = ? AND status = 'processing'`)
      .bind(Math.max(0, Math.min(1, fraction)), now, id)
      .run();
  }

  /** Marks open jobs failed; finished jobs are left as they are. Returns how many rows changed. */
  async fail(ids: readonly string[], now: number, error: string, code: string): Promise<number> {
    if (ids.length === 0) return 0;
    const marks = ids.map(() => '?').join(', ');
    const result = await this.db
      .prepare(
        `UPDATE jobs SET status = 'failed', error = ?, error_code = ?, lease_until = NULL, completed_at = ?,
           updated_at = ?
         WHERE id IN (${marks}) AND ${OPEN}`,
      )
      .bind(error, code, now, now, ...ids)
      .run();
    return result.meta.changes;
  }

  /** Removes a finished job of this subject; returns it, or null when there is none (or it is still running). */
  async delete(subject: string, id: string): Promise<Job | null> {
    return this.db
      .prepare(`DELETE FROM jobs WHERE id = ? AND subject = ? AND status IN ('completed', 'failed') RETURNING *`)
      .bind(id, subject)
      .first<Job>();
  }

  /** Finished jobs older than `before`, oldest first, for the retention sweep. */
  async expired(before: number, limit: number): Promise<Job[]> {
    const { results } = await this.db
      .prepare(
        `SELECT * FROM jobs WHERE status IN ('completed', 'failed') AND created_at < ? ORDER BY created_at LIMIT ?`,
      )
      .bind(before, limit)
      .all<Job>();
    return results;
  }

  async deleteMany(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .prepare(`DELETE FROM jobs WHERE id IN (${ids.map(() => '?').join(', ')})`)
      .bind(...ids)
      .run();
  }

  /** Open jobs nobody has touched since `before` (lease expired or never delivered). */
  async findStale(before: number, limit: number): Promise<Job[]> {
    const { results } = await this.db
      .prepare(
        `SELECT * FROM jobs WHERE ${OPEN} AND updated_at < ? AND COALESCE(lease_until, 0) < ?
         ORDER BY updated_at LIMIT ?`,
      )
      .bind(before, before, limit)
      .all<Job>();
    return results;
  }

  /** Records that the sweeper re-enqueued a job, so it is not picked again on the next run. */
  async touch(ids: readonly string[], now: number): Promise<void> {
    if (ids.length === 0) return;
    const marks = ids.map(() => '?').join(', ');
    await this.db
      .prepare(`UPDATE jobs SET updated_at = ? WHERE id IN (${marks}) AND ${OPEN}`)
      .bind(now, ...ids)
      .run();
  }
}
