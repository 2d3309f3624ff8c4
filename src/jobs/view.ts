/** How a job is shown to MCP clients: structured data, a short markdown text, and links to the image. */
import type { ResourceLink } from '@modelcontextprotocol/server';
import * as z from 'zod';
import { imageUrl, type UrlContext } from '../images/urls';
import { isSubstitution } from '../providers/lifecycle';
import { JOB_STATUSES, type Job } from './model';

const ms = z.number().int().nullable();
const at = z.string().nullable();

/** Where a job's time went; each *_at is ISO 8601 or null until the job gets there. */
export const TimingsSchema = z.object({
  queued_at: z.string(),
  started_at: at,
  provider_done_at: at,
  stored_at: at,
  queue_ms: ms,
  provider_ms: ms,
  store_ms: ms,
  total_ms: ms,
});
export type Timings = z.infer<typeof TimingsSchema>;

/**
 * A job as get_job_status returns it: the one output schema that lists every field. Other tools return the same
 * objects and declare them as {@link JobEntrySchema}, so that tools/list carries this declaration once.
 */
export const JobViewSchema = z.object({
  job_id: z.string().describe('Also the image id.'),
  status: z.enum(JOB_STATUSES),
  prompt: z.string().describe('As sent, any style applied.'),
  negative_prompt: z.string().nullable(),
  provider: z.string().nullable(),
  model: z.string().nullable(),
  width: z.number().int(),
  height: z.number().int(),
  seed: z.number().int().nullable(),
  attempts: z.number().int().describe('Provider calls made.'),
  error: z.string().nullable().describe('Why it failed, or the last retried error.'),
  image_url: z.string().optional().describe('Once completed; needs no token.'),
  content_type: z.string().optional(),
  bytes: z.number().int().optional(),
  route_reason: z.string().nullable().describe('Why this provider and model.'),
  adaptations: z.array(z.string()).describe('Changes made to fit the model.'),
  cost_usd: z.number().nullable().describe('Estimated cost.'),
  progress: z.number().nullable().describe('0–1 while running, if reported.'),
  revised_prompt: z.string().nullable().describe('As the provider rewrote it.'),
  provider_metadata: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .nullable()
    .describe('Extra facts from the provider.'),
  source_ids: z.array(z.string()).describe('Edit sources.'),
  mask_id: z.string().nullable().describe('Edit: mask image.'),
  style: z.string().nullable().describe('A list_styles name.'),
  created_at: z.string().describe('ISO 8601, as are the other *_at.'),
  updated_at: z.string(),
  completed_at: z.string().nullable(),
  // Declared by a sentence rather than field by field: eight fields every session would pay for in tools/list.
  timings: z
    .looseObject({})
    .describe(
      'queued_at, started_at, provider_done_at, stored_at (ISO 8601, null until reached); queue_ms, provider_ms (retries included), store_ms, total_ms (to stored or failed).',
    ),
});
/**
 * A job inside another tool's result: the same object as {@link JobViewSchema}, declared by its key fields and
 * a reference. It accepts whatever else a view carries, so validating a result does not strip it.
 */
export const JobEntrySchema = z.looseObject({ job_id: z.string() }).describe('As get_job_status.');
export type JobView = Omit<z.infer<typeof JobViewSchema>, 'timings'> & { timings: Timings };

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const span = (from: number | null, to: number | null) => (from === null || to === null ? null : to - from);

export function timingsOf(job: Job): Timings {
  return {
    queued_at: new Date(job.created_at).toISOString(),
    started_at: iso(job.started_at),
    provider_done_at: iso(job.provider_done_at ?? null),
    stored_at: iso(job.stored_at ?? null),
    queue_ms: span(job.created_at, job.started_at),
    provider_ms: span(job.started_at, job.provider_done_at ?? null),
    store_ms: span(job.provider_done_at ?? null, job.stored_at ?? null),
    total_ms: span(job.created_at, job.completed_at),
  };
}

export async function toView(job: Job, urls: UrlContext): Promise<JobView> {
  const view: JobView = {
    job_id: job.id,
    status: job.status,
    prompt: job.prompt,
    negative_prompt: job.negative_prompt,
    provider: job.provider,
    model: job.model,
    width: job.width,
    height: job.height,
    seed: job.seed,
    attempts: job.attempts,
    error: job.error,
    route_reason: job.route_reason,
    adaptations: job.adaptations ? (JSON.parse(job.adaptations) as string[]) : [],
    cost_usd: job.cost_usd,
    progress: job.progress,
    revised_prompt: job.revised_prompt,
    provider_metadata: job.provider_meta
      ? (JSON.parse(job.provider_meta) as Record<string, string | number | boolean>)
      : null,
    source_ids: job.source_ids ? (JSON.parse(job.source_ids) as string[]) : [],
    mask_id: job.mask_id,
    style: job.style ?? null,
    created_at: new Date(job.created_at).toISOString(),
    updated_at: new Date(job.updated_at).toISOString(),
    completed_at: iso(job.completed_at),
    timings: timingsOf(job),
  };
  if (job.status === 'completed' && job.content_type) {
    view.image_url = await imageUrl(urls, job.id, job.content_type);
    view.content_type = job.content_type;
    if (job.image_bytes !== null) view.bytes = job.image_bytes;
  }
  return view;
}

export function viewsOf(jobs: readonly Job[], urls: UrlContext): Promise<JobView[]> {
  return Promise.all(jobs.map((j) => toView(j, urls)));
}

/** Markdown alt text: one line, no brackets that would end the image syntax early. */
export function altText(prompt: string): string {
  const flat = prompt.replace(/[\s[\]]+/g, ' ').trim();
  return flat.length > 100 ? `${flat.slice(0, 99)}…` : flat;
}

/**
 * One line per job; a finished image as markdown (so chat UIs render it when the assistant repeats it) and one
 * short line of facts, for clients that hand the model only the text.
 */
export function describeJob(view: JobView): string {
  switch (view.status) {
    case 'completed': {
      const facts = [
        [view.provider, view.model].filter(Boolean).join(' ') || 'unknown provider',
        `${view.width}x${view.height}`,
        `job ${view.job_id}`,
      ];
      const notes = view.adaptations.filter(isSubstitution);
      return `![${altText(view.prompt)}](${view.image_url})\n${[...facts, ...notes].join(' · ')}`;
    }
    case 'failed':
      return `Job ${view.job_id} failed: ${view.error ?? 'unknown error'}`;
    default: {
      const progress =
        view.progress !== null && view.status === 'processing' ? ` (${Math.round(view.progress * 100)}%)` : '';
      return `Job ${view.job_id} is ${view.status}${progress}.`;
    }
  }
}

export function imageLinks(views: readonly JobView[]): ResourceLink[] {
  return views.flatMap((v) =>
    v.image_url
      ? [
          {
            type: 'resource_link' as const,
            uri: v.image_url,
            name: `image-${v.job_id}`,
            title: altText(v.prompt),
            mimeType: v.content_type,
            ...(v.bytes !== undefined && { size: v.bytes }),
          },
        ]
      : [],
  );
}
