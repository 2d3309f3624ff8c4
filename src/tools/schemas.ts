/** Argument shapes shared by more than one tool, so each is defined (and described) once. */
import { z } from 'zod';
import { JOB_STATUSES } from '../jobs/model';
import { JobViewSchema } from '../jobs/view';
import { WAIT_DEFAULT_SECONDS, WAIT_MAX_SECONDS } from '../jobs/wait';

export const jobId = z.string().min(1).max(64).describe('A job id returned by generate_image.');

/** An image named by its job id or an image:// URI (image://{id}, or any image://{id}/... form of it). */
export const imageRef = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .transform((ref) => ref.replace(/^image:\/\//, '').split(/[/?#]/)[0]!)
  .pipe(z.string().min(1).max(64));

export const generateArgs = {
  prompt: z.string().trim().min(1).max(4000).describe('What to draw, in plain language.'),
  negative_prompt: z
    .string()
    .max(2000)
    .optional()
    .describe('What to keep out of the image, where the provider supports it.'),
  provider: z.string().max(64).default('auto').describe('Provider to use, or "auto" to pick the best configured one.'),
  model: z.string().max(128).optional().describe("A model of the chosen provider; the provider's default if omitted."),
  count: z.number().int().min(1).max(20).default(1).describe('How many images to make (one job per image).'),
  width: z.number().int().min(1).max(8192).optional().describe('Width in pixels (default 1024).'),
  height: z.number().int().min(1).max(8192).optional().describe('Height in pixels (default 1024).'),
  aspect_ratio: z.string().max(16).optional().describe('Instead of width/height, e.g. "16:9", "1:1", "3:4".'),
  seed: z
    .number()
    .int()
    .min(0)
    .max(4294967295)
    .optional()
    .describe('Seed for reproducible results, where the model takes one.'),
  steps: z
    .number()
    .int()
    .min(1)
    .max(150)
    .optional()
    .describe('Sampling steps, where the model has them (see list_providers).'),
  quality: z
    .string()
    .max(16)
    .optional()
    .describe('Quality level the model offers, e.g. low/medium/high or standard/hd.'),
  output_format: z.enum(['png', 'jpeg', 'webp']).optional().describe('Image format, where the model lets you choose.'),
  background: z.enum(['transparent', 'opaque', 'auto']).optional().describe('Background, where the model supports it.'),
  allow_paid: z.boolean().optional().describe('Allow providers this server marks as paid.'),
  style: z
    .string()
    .max(64)
    .optional()
    .describe(
      'A style from list_styles (yours or a built-in such as photo, watercolor, pixel-art, line-art): wraps the ' +
        'prompt, adds its negative prompt and fills provider, model and size you leave open.',
    ),
};

export const previewArg = z
  .boolean()
  .optional()
  .describe(
    'true: also return a small inline JPEG preview of each finished image (at most 4); false: links only. ' +
      'Unset: one small thumbnail for clients that show images, links only for the rest.',
  );

export const waitArgs = {
  include_preview: previewArg,
  timeout_seconds: z
    .number()
    .int()
    .min(1)
    .max(WAIT_MAX_SECONDS)
    .default(WAIT_DEFAULT_SECONDS)
    .describe(
      `How long to wait before returning status "running" (default ${WAIT_DEFAULT_SECONDS}, max ${WAIT_MAX_SECONDS}).`,
    ),
};

export const pageArgs = {
  limit: z.number().int().min(1).max(50).default(10).describe('Page size, 1–50.'),
  offset: z.number().int().min(0).max(100_000).default(0).describe('How many to skip.'),
};

export const statusFilter = z.enum(['all', ...JOB_STATUSES]).default('all');

export const WAIT_OUTCOMES = ['completed', 'failed', 'partial', 'running'] as const;

/** The inline preview that accompanies an image block: which image, and what the block holds. */
export const PreviewSchema = z.object({
  job_id: z.string(),
  mime_type: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  bytes: z.number().int(),
});

export const waitResultShape = {
  status: z
    .enum(WAIT_OUTCOMES)
    .describe(
      'completed: all images ready; failed: all failed; partial: some failed; running: still working, wait again.',
    ),
  job_ids: z.array(z.string()),
  jobs: z.array(JobViewSchema),
  pending_job_ids: z.array(z.string()),
  hint: z.string().optional(),
  previews: z.array(PreviewSchema).optional().describe('The inline previews or thumbnail returned, if any.'),
};

export const pageResultShape = {
  limit: z.number().int(),
  offset: z.number().int(),
  has_more: z.boolean(),
};
