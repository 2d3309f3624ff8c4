/** Originals in R2, one object per job at a key derived from the job id, so a retried job finds its image. */
import { imageDimensions, sniffImageType } from '../providers/sniff';
import type { GeneratedImage, ImageSpill } from '../providers/types';

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

function customMetadata(
  jobId: string,
  size: { width: number; height: number },
  meta: ImageMetadata,
): Record<string, string> {
  return {
    subject: meta.subject,
    job_id: jobId,
    // R2 custom metadata is limited to 2 KiB in all; the full prompt lives in D1.
    prompt: meta.prompt.slice(0, 1024),
    provider: meta.provider,
    model: meta.model,
    seed: meta.seed === null ? '' : String(meta.seed),
    width: String(size.width),
    height: String(size.height),
  };
}

export async function putOriginal(
  bucket: R2Bucket,
  jobId: string,
  image: GeneratedImage,
  meta: ImageMetadata,
): Promise<R2Object> {
  return bucket.put(originalKey(jobId), image.bytes, {
    httpMetadata: { contentType: image.contentType },
    customMetadata: customMetadata(jobId, image, meta),
  });
}

/** R2 takes parts of 5 MiB to 5 GiB, all the same size but the last, which may be smaller. */
const PART_BYTES = 5 << 20;
/** Enough of an image's start for its header (a JPEG's frame may follow large EXIF or ICC segments). */
const HEAD_BYTES = 256 << 10;

/**
 * An original written while it arrives, as an R2 multipart upload at the job's key, for images too large to
 * hold (a provider that streams its answer hands parts over once it holds two;
 * https://developers.cloudflare.com/r2/objects/multipart-objects: parts of at least 5 MiB, all equal but the
 * last, which may not be larger). The upload starts with the first part, whose header gives the object's type
 * and size; `finish` writes what came after the parts and completes it, `abort` drops it. Metadata is the job's
 * as it was asked: a provider's own seed is in D1 only, so a redelivery that completes a job from this object
 * (after D1 failed) records the seed asked for, null for a random one.
 */
export class OriginalUpload implements ImageSpill {
  readonly partBytes: number;
  written = 0;
  head: Uint8Array | undefined;
  private upload: R2MultipartUpload | undefined;
  private readonly parts: R2UploadedPart[] = [];

  constructor(
    private readonly bucket: R2Bucket,
    private readonly jobId: string,
    private readonly meta: ImageMetadata,
    partBytes = PART_BYTES,
  ) {
    this.partBytes = partBytes;
  }

  async write(part: Uint8Array): Promise<void> {
    if (!this.upload) {
      const head = part.slice(0, HEAD_BYTES);
      const size = imageDimensions(head) ?? { width: 0, height: 0 };
      this.upload = await this.bucket.createMultipartUpload(originalKey(this.jobId), {
        httpMetadata: { contentType: sniffImageType(head) ?? 'application/octet-stream' },
        customMetadata: customMetadata(this.jobId, size, this.meta),
      });
      this.head = head;
    }
    this.parts.push(await this.upload.uploadPart(this.parts.length + 1, part));
    this.written += part.length;
  }

  /** Writes `rest` as whole parts and a last one no larger, and completes the object. */
  async finish(rest: Uint8Array): Promise<R2Object> {
    if (!this.upload) throw new Error('finish() before any part was written');
    let last = rest;
    while (last.length > this.partBytes) {
      await this.write(last.subarray(0, this.partBytes));
      last = last.subarray(this.partBytes);
    }
    if (last.length > 0) await this.write(last);
    return this.upload.complete(this.parts);
  }

  /** Drops the parts written, if any, and starts afresh; best effort, since R2 drops an unfinished upload after 7 days. */
  async abort(): Promise<void> {
    await this.upload?.abort().catch(() => undefined);
    this.upload = undefined;
    this.parts.length = 0;
    this.written = 0;
    this.head = undefined;
  }
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
