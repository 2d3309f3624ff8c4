/**
 * Submitting an edit: the source images (and mask) are the caller's own finished images, resolved and
 * checked before anything is written, so a job never starts from an image that is missing, foreign or
 * not ready. Another subject's id is refused exactly like a missing one.
 */
import { AppError } from '../errors';
import { checkTransformable } from '../images/cf-images';
import type { Job } from './model';
import { type GenerateInput, type SubmitDeps, submitJobs } from './submit';

/** The most source images one edit takes; each model's own limit (list_providers) may be lower. */
export const MAX_EDIT_SOURCES = 16;

export interface EditInput extends Omit<GenerateInput, 'edit'> {
  images: readonly string[];
  mask?: string | undefined;
  strength?: number | undefined;
}

function usable(id: string, job: Job | undefined, role: string): Job {
  if (!job) throw new AppError('not_found', `No image with id "${id}". Check the id with list_generations.`);
  if (job.status === 'failed')
    throw new AppError(
      'bad_request',
      `The ${role} "${id}" has no image: its job failed (${job.error ?? 'no reason'}).`,
    );
  if (job.status !== 'completed' || !job.content_type) {
    throw new AppError(
      'bad_request',
      `The ${role} "${id}" is not ready yet (its job is ${job.status}); wait for it with wait_for_completion first.`,
    );
  }
  return job;
}

function scalable(job: Job, transforms: ImagesBinding | undefined, role: string): void {
  try {
    checkTransformable(job, transforms);
  } catch (error) {
    if (error instanceof AppError) throw new AppError(error.code, `The ${role} cannot be edited: ${error.message}`);
    throw error;
  }
}

export async function resolveSources(
  deps: Pick<SubmitDeps, 'store' | 'variants'>,
  subject: string,
  imageIds: readonly string[],
  maskId: string | undefined,
): Promise<{ images: Job[]; mask: Job | null }> {
  if (imageIds.length === 0) throw new AppError('bad_request', 'Give at least one image to edit.');
  if (imageIds.length > MAX_EDIT_SOURCES)
    throw new AppError('bad_request', `An edit takes at most ${MAX_EDIT_SOURCES} images; ${imageIds.length} given.`);
  const ids = maskId === undefined ? imageIds : [...imageIds, maskId];
  const found = new Map((await deps.store.getMany(subject, [...new Set(ids)])).map((j) => [j.id, j]));
  const images = imageIds.map((id, i) => usable(id, found.get(id), i === 0 ? 'image' : `image ${i + 1}`));
  // Over the decode bound, a source or mask is sent as a scaled-down working copy, which takes Cloudflare
  // Images: without it such an edit is refused now rather than failed in the queue.
  const transforms = deps.variants?.IMAGE_TRANSFORMS;
  for (const image of images) scalable(image, transforms, `image "${image.id}"`);
  if (maskId === undefined) return { images, mask: null };
  const mask = usable(maskId, found.get(maskId), 'mask');
  scalable(mask, transforms, `mask "${mask.id}"`);
  const first = images[0]!;
  if (mask.width !== first.width || mask.height !== first.height) {
    throw new AppError(
      'bad_request',
      `The mask is ${mask.width}x${mask.height} but the image it applies to ("${first.id}") is ${first.width}x${first.height}; they must be the same size.`,
    );
  }
  return { images, mask };
}

/** Resolves the sources, then queues the edit like any generation; returns the jobs as written. */
export async function submitEdit(deps: SubmitDeps, subject: string, input: EditInput): Promise<Job[]> {
  const { images: imageIds, mask: maskId, strength, ...rest } = input;
  const sources = await resolveSources(deps, subject, imageIds, maskId);
  return submitJobs(deps, subject, { ...rest, edit: { ...sources, strength } });
}
