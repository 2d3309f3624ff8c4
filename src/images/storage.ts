/** Originals in R2, one object per job at a key derived from the job id, so a retried job finds its image. */
import type { GeneratedImage } from '../providers/types';

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
};

export function extensionFor(contentType: string): string {
  return EXTENSIONS[contentType] ?? 'bin';
}

export function originalKey(jobId: string): string {
  return `originals/${jobId}`;
}

export interface ImageMetadata {
  subject: string;
  prompt: string;
  provider: string;
  model: string;
  seed: number | null;
}

export async function putOriginal(
  bucket: R2Bucket,
  jobId: string,
  image: GeneratedImage,
  meta: ImageMetadata,
): Promise<R2Object> {
  return bucket.put(originalKey(jobId), image.bytes, {
    httpMetadata: { contentType: image.contentType },
    customMetadata: {
      subject: meta.subject,
      job_id: jobId,
      // R2 custom metadata is limited to 2 KiB in all; the full prompt lives in D1.
      prompt: meta.prompt.slice(0, 1024),
      provider: meta.provider,
      model: meta.model,
      seed: meta.seed === null ? '' : String(meta.seed),
      width: String(image.width),
      height: String(image.height),
    },
  });
}

/** A previously stored original, e.g. written by a delivery that died before it could update the row. */
export async function findOriginal(bucket: R2Bucket, jobId: string): Promise<R2Object | null> {
  return bucket.head(originalKey(jobId));
}

/** Deletes an image's original and every stored variant of it; returns how many objects went. */
export async function deleteImageObjects(bucket: R2Bucket, jobId: string): Promise<number> {
  // Listed variants exist; only the original needs looking up.
  const present = (await bucket.head(originalKey(jobId))) ? [originalKey(jobId)] : [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: `variants/${jobId}/`, ...(cursor && { cursor }) });
    present.push(...page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  // R2 deletes at most 1000 keys per call.
  for (let i = 0; i < present.length; i += 1000) await bucket.delete(present.slice(i, i + 1000));
  return present.length;
}
