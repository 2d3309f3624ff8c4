/** How a job is shown to MCP clients: structured data, a short markdown text, and links to the image. */
import type { ResourceLink } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { imageUrl, type UrlContext } from '../images/urls';
import { JOB_STATUSES, type Job } from '../jobs/model';

export const JobViewSchema = z.object({
  job_id: z.string(),
  status: z.enum(JOB_STATUSES),
  prompt: z.string(),
  negative_prompt: z.string().nullable(),
  provider: z.string().nullable(),
  model: z.string().nullable(),
  width: z.number().int(),
  height: z.number().int(),
  seed: z.number().int().nullable(),
  attempts: z.number().int(),
  error: z.string().nullable().describe('Why the job failed, or the last retryable error while it runs.'),
  image_url: z.string().optional().describe('Absolute URL of the finished image; works without the bearer token.'),
  content_type: z.string().optional(),
  bytes: z.number().int().optional(),
  route_reason: z.string().nullable().describe('Why this provider and model were chosen.'),
  adaptations: z.array(z.string()).describe('What was changed to fit the model (e.g. a size it does not make).'),
  cost_usd: z.number().nullable().describe('Estimated cost of this image.'),
  progress: z.number().nullable().describe('0–1 while a long generation runs, where the provider reports it.'),
  revised_prompt: z.string().nullable().describe('The prompt as the provider rewrote it.'),
  provider_metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).nullable(),
  source_ids: z.array(z.string()).describe('For an edit: the images it started from, the first one edited.'),
  mask_id: z.string().nullable().describe('For an edit: the mask image, if one was given.'),
  created_at: z.string().describe('ISO 8601'),
  updated_at: z.string(),
  completed_at: z.string().nullable(),
});
export type JobView = z.infer<typeof JobViewSchema>;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

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
    created_at: new Date(job.created_at).toISOString(),
    updated_at: new Date(job.updated_at).toISOString(),
    completed_at: iso(job.completed_at),
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
function altText(prompt: string): string {
  const flat = prompt.replace(/[\s[\]]+/g, ' ').trim();
  return flat.length > 100 ? `${flat.slice(0, 99)}…` : flat;
}

/** One line per job; finished images as markdown so chat UIs render them when the assistant repeats it. */
export function describeJob(view: JobView): string {
  switch (view.status) {
    case 'completed':
      return `![${altText(view.prompt)}](${view.image_url})`;
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
