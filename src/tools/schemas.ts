/** Argument shapes shared by more than one tool, so each is defined (and described) once. */
import * as z from 'zod';
import { JOB_STATUSES } from '../jobs/model';
import { JobEntrySchema } from '../jobs/view';
import { WAIT_DEFAULT_SECONDS, WAIT_MAX_SECONDS } from '../jobs/wait';

/**
 * A name or id the server looks up (a job, provider, model, quality, style or aspect ratio): bounded to guard
 * the server, but unlike `.max()` the bound stays out of the listed JSON Schema, where the real constraint is
 * "one that exists" and every byte is paid for in each conversation.
 */
export const lookupName = (max: number) =>
  z
    .string()
    .refine((value) => value.length <= max, { error: `Too long: at most ${max} characters.` })
    .refine((value) => value.trim().length > 0, { error: 'Must not be empty.' });

/**
 * A whole number within sanity bounds that, like lookupName's, are checked but not listed: the real limits of
 * sizes, seeds and steps are each model's (list_providers), and requests are fitted to them.
 */
export const wholeWithin = (min: number, max: number) =>
  z
    .number()
    .int()
    .refine((value) => value >= min && value <= max, { error: `Must be from ${min} to ${max}.` });

export const jobId = lookupName(64).describe('A job id.');

/** An image named by its job id or an image:// URI (image://{id}, or any image://{id}/... form of it). */
export const imageRef = lookupName(200)
  .trim()
  .transform((ref) => ref.replace(/^image:\/\//, '').split(/[/?#]/)[0]!)
  .pipe(z.string().min(1).max(64));

export const generateArgs = {
  prompt: z.string().trim().min(1).max(4000).describe('What to draw.'),
  negative_prompt: z.string().max(2000).optional().describe('What to leave out.'),
  provider: lookupName(64).optional().describe('A list_providers id, or auto.'),
  model: lookupName(128).optional().describe('A list_providers model.'),
  count: z.number().int().min(1).max(20).default(1).describe('One job each.'),
  width: wholeWithin(1, 8192).optional().describe('Pixels.'),
  height: wholeWithin(1, 8192).optional().describe('Pixels.'),
  aspect_ratio: lookupName(16).optional().describe('e.g. "16:9".'),
  seed: wholeWithin(0, 4294967295).optional().describe('Repeatable results.'),
  steps: wholeWithin(1, 150).optional().describe('Sampling steps.'),
  quality: lookupName(16).optional().describe('e.g. low, high, hd.'),
  output_format: z.enum(['png', 'jpeg', 'webp']).optional().describe('File format.'),
  background: z.enum(['transparent', 'opaque', 'auto']).optional().describe('Transparency.'),
  allow_paid: z.boolean().optional().describe('Allow paid providers.'),
  style: lookupName(64).optional().describe('A list_styles name.'),
};

export const previewArg = z.boolean().optional().describe('Inline previews.');

export const waitArgs = {
  include_preview: previewArg,
  timeout_seconds: z
    .number()
    .int()
    .min(1)
    .max(WAIT_MAX_SECONDS)
    .default(WAIT_DEFAULT_SECONDS)
    .describe('Then status "running".'),
};

export const pageArgs = {
  limit: z.number().int().min(1).max(50).default(10).describe('Page size.'),
  offset: wholeWithin(0, 100_000).default(0).describe('Skip this many.'),
};

export const statusFilter = z.enum(['all', ...JOB_STATUSES]).default('all');

export const WAIT_OUTCOMES = ['completed', 'failed', 'partial', 'running'] as const;

/** The inline preview that accompanies an image block: which image, and what the block holds. */
export const PreviewSchema = z
  .object({
    job_id: z.string(),
    mime_type: z.string(),
    width: z.number().int(),
    height: z.number().int(),
    bytes: z.number().int(),
  })
  .describe('The image block sent inline.');

/** A preview in a wait's result: the same object, declared in full by show_image. */
const PreviewEntrySchema = z.looseObject({ job_id: z.string() });

export const waitResultShape = {
  status: z
    .enum(WAIT_OUTCOMES)
    .describe('completed: all ready; failed: all failed; partial: some failed; running: call again.'),
  job_ids: z.array(z.string()),
  jobs: z.array(JobEntrySchema),
  pending_job_ids: z.array(z.string()),
  hint: z.string().optional(),
  previews: z.array(PreviewEntrySchema).optional().describe('Image blocks sent (see show_image).'),
};

/**
 * The result of the tools that generate and wait: wait_for_completion's result, which that tool declares in full;
 * here by the fields a caller branches on.
 */
export const waitResultEntry = z
  .looseObject({ status: z.enum(WAIT_OUTCOMES), jobs: waitResultShape.jobs })
  .describe('As wait_for_completion.');

export const pageResultShape = {
  limit: z.number().int(),
  offset: z.number().int(),
  has_more: z.boolean().describe('Another page follows.'),
};
