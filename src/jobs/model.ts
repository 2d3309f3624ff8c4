/** The job record and the pure rules for how it may change. */
import * as z from 'zod';

export const JOB_STATUSES = ['pending', 'processing', 'completed', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface Job {
  id: string;
  subject: string;
  batch_id: string;
  status: JobStatus;
  prompt: string;
  negative_prompt: string | null;
  requested_provider: string;
  provider: string | null;
  model: string | null;
  width: number;
  height: number;
  seed: number | null;
  attempts: number;
  lease_until: number | null;
  error: string | null;
  error_code: string | null;
  image_key: string | null;
  content_type: string | null;
  image_bytes: number | null;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  /** When the provider returned the image (the last attempt's), before it was stored. */
  provider_done_at: number | null;
  /** When the image was written to R2. */
  stored_at: number | null;
  completed_at: number | null;
  /** JSON of JobParams: the planned request fields beyond prompt, size and seed. */
  params: string | null;
  route_reason: string | null;
  /** JSON array of what was changed to fit the model. */
  adaptations: string | null;
  cost_usd: number | null;
  progress: number | null;
  revised_prompt: string | null;
  /** JSON object of provider notes, e.g. a watermark. */
  provider_meta: string | null;
  /** Image-to-image: JSON array of the source images' job ids, the first one being edited. */
  source_ids: string | null;
  /** Image-to-image: the job id of the mask image. */
  mask_id: string | null;
  /** The name of the style applied at submit time, if any. */
  style: string | null;
}

/** Planned request fields stored with the job, so the consumer calls the provider exactly as planned. */
export interface JobParams {
  aspectRatio: string | null;
  resolution: string | null;
  steps: number | null;
  quality: string | null;
  outputFormat: string | null;
  background: string | null;
  /** Image-to-image strength (0–1), where the model takes one; absent on older rows. */
  strength?: number | null;
}

/** What a queue message carries: only the id; the row is the source of truth. */
export const JobMessageSchema = z.object({ job_id: z.string().min(1).max(64) });
export type JobMessage = z.infer<typeof JobMessageSchema>;

const NEXT: Record<JobStatus, readonly JobStatus[]> = {
  pending: ['processing', 'failed'],
  processing: ['processing', 'completed', 'failed'],
  completed: [],
  failed: [],
};

/** Status only moves forward; `processing -> processing` is a retry taking the lease again. */
export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return NEXT[from].includes(to);
}

export function isTerminal(status: JobStatus): boolean {
  return status === 'completed' || status === 'failed';
}

/** Backoff before a retried delivery: 2, 4, 8 ... seconds, capped, with jitter so retries do not arrive together. */
export function retryDelaySeconds(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(2 ** Math.max(1, attempt), 300);
  return Math.max(1, Math.round(base * (0.75 + random() * 0.5)));
}
