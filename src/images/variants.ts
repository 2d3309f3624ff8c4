/**
 * Transformed variants of stored originals, each computed once: R2 keeps it at variants/{id}/{canonical
 * params}, so equivalent requests share one object and a repeat request is one R2 read with no decoding.
 * An image keeps at most MAX_VARIANTS_PER_IMAGE of them: storing one more drops the least recently used, use
 * being recorded in the object's metadata to the day (a variant served a day after its last record is
 * stored again, its one write a day). delete_image and retention remove the whole variants/{id}/ prefix
 * along with the original.
 */
import { AppError } from '../errors';
import { imageDimensions } from '../providers/sniff';
import { checkTransformable, makeWorkingCopy, type OriginalSource, planOnCopy, workingCopyKey } from './cf-images';
import { overDecodeBound } from './decode';
import { originalKey } from './storage';
import { type TransformedImage, transformImage } from './transform';
import {
  canonicalQuery,
  normaliseTransformParams,
  planTransform,
  type Size,
  TRANSFORM_LIMITS,
  type TransformParams,
  type TransformPlan,
  variantParams,
} from './transform-plan';

/** Enough for every preview and thumbnail size plus a few transforms a chat asked for. */
export const MAX_VARIANTS_PER_IMAGE = 20;
const USE_RECORDED_EVERY_MS = 24 * 3600 * 1000;

export interface Variant extends Size {
  bytes: Uint8Array;
  contentType: string;
  /** Strong: R2's content hash of exactly these bytes. */
  etag: string;
  /** False only when this call decoded and transformed the original. */
  cached: boolean;
}

const JOB_ID = /^[0-9a-f-]{36}$/;

export function variantKey(id: string, params: TransformParams): string {
  return `variants/${id}/${canonicalQuery(params)}`;
}

const notFound = () => new AppError('not_found', 'Image not found.');

/** The image `id` transformed by `params` (no params: the original), from the cache or computed and stored. */
/** Where variants are stored and, for sources over the decode bound, who makes them. */
export interface VariantEnv {
  IMAGES: R2Bucket;
  IMAGE_TRANSFORMS?: ImagesBinding | undefined;
}

export async function getVariant(
  env: VariantEnv,
  id: string,
  params: TransformParams,
  now: number = Date.now(),
): Promise<Variant> {
  if (!JOB_ID.test(id)) throw notFound();
  const normal = variantParams(normaliseTransformParams(params));
  const query = canonicalQuery(normal);
  const key = query ? variantKey(id, normal) : originalKey(id);
  if (!query) {
    const original = await env.IMAGES.get(key);
    if (!original) throw notFound();
    return cachedVariant(original, new Uint8Array(await original.arrayBuffer()));
  }
  const cached = await readKept(env.IMAGES, key, now);
  if (cached) return cachedVariant(cached.object, cached.bytes);

  // Size and bounds are checked from the original's metadata before its body is fetched.
  const head = await env.IMAGES.head(originalKey(id));
  if (!head) throw notFound();
  if (head.size > TRANSFORM_LIMITS.maxSourceBytes)
    throw new AppError(
      'payload_too_large',
      `The source image is ${head.size} bytes; transforms accept at most ${TRANSFORM_LIMITS.maxSourceBytes}.`,
    );
  const contentType = head.httpMetadata?.contentType ?? 'application/octet-stream';
  const stated = statedSize(head);
  const statedPlan = stated && planTransform(normal, { ...stated, contentType });
  if (stated) checkTransformable(stated, env.IMAGE_TRANSFORMS);
  const original = async () => {
    const object = await env.IMAGES.get(originalKey(id));
    if (!object) throw notFound();
    return object;
  };

  let result: TransformedImage;
  if (stated && statedPlan && overDecodeBound(stated)) {
    // Over the bound: from the working copy, without reading the original when the copy is kept.
    result = await fromWorkingCopy(env, id, stated, statedPlan, async () => (await original()).body, now);
  } else {
    const bytes = new Uint8Array(await (await original()).arrayBuffer());
    // The header's own size is checked too, before decoding: a small file can still claim a huge canvas.
    const header = imageDimensions(bytes);
    if (!header) throw new AppError('internal', 'The stored image could not be decoded.');
    const plan = planTransform(normal, { ...header, contentType });
    checkTransformable(header, env.IMAGE_TRANSFORMS);
    result = overDecodeBound(header)
      ? await fromWorkingCopy(env, id, header, plan, async () => bytes, now)
      : await transformImage(bytes, (size) => planTransform(normal, { ...size, contentType }));
  }
  const stored = await storeVariant(env.IMAGES, key, id, result, now);
  await dropLeastUsed(env.IMAGES, id, key);
  return { ...result, etag: stored.httpEtag, cached: false };
}

/** Stores a variant (or working copy) of image `id`, with its size and its first use in its metadata. */
function storeVariant(
  bucket: R2Bucket,
  key: string,
  id: string,
  image: Size & { bytes: Uint8Array; contentType: string },
  now: number,
): Promise<R2Object> {
  return bucket.put(key, image.bytes, {
    httpMetadata: { contentType: image.contentType },
    customMetadata: { source: id, width: String(image.width), height: String(image.height), used: String(now) },
  });
}

/** A stored variant (or working copy) and its bytes, its use recorded when the last record is a day old. */
async function readKept(
  bucket: R2Bucket,
  key: string,
  now: number,
): Promise<{ object: R2ObjectBody; bytes: Uint8Array } | null> {
  const object = await bucket.get(key);
  if (!object) return null;
  const bytes = new Uint8Array(await object.arrayBuffer());
  if (lastUse(object) < now - USE_RECORDED_EVERY_MS) await recordUse(bucket, object, bytes, now);
  return { object, bytes };
}

/**
 * A transform of an image over the decode bound, run by photon on its working copy (see cf-images.ts).
 */
async function fromWorkingCopy(
  env: VariantEnv,
  id: string,
  size: Size,
  plan: TransformPlan,
  readOriginal: () => Promise<OriginalSource>,
  now: number,
): Promise<TransformedImage> {
  const copy = await workingCopy(env, id, size, readOriginal, now);
  return transformImage(copy.bytes, (copySize) => planOnCopy(plan, size, copySize));
}

/**
 * The working copy of image `id` (of `size`, over the decode bound): kept in R2 with its variants, made by
 * Cloudflare Images the first time. Throws payload_too_large, saying why, where it cannot be made.
 */
export async function workingCopy(
  env: VariantEnv,
  id: string,
  size: Size,
  readOriginal: () => Promise<OriginalSource>,
  now: number = Date.now(),
): Promise<Size & { bytes: Uint8Array }> {
  const key = workingCopyKey(id);
  const kept = await readKept(env.IMAGES, key, now);
  const keptSize = kept && (statedSize(kept.object) ?? imageDimensions(kept.bytes));
  if (kept && keptSize) return { bytes: kept.bytes, ...keptSize };
  checkTransformable(size, env.IMAGE_TRANSFORMS);
  const made = await makeWorkingCopy(env.IMAGE_TRANSFORMS!, await readOriginal(), size);
  await storeVariant(env.IMAGES, key, id, { ...made, contentType: 'image/png' }, now);
  return made;
}

/** When a variant was last recorded as used (its store time if never). */
function lastUse(object: R2Object): number {
  const used = Number(object.customMetadata?.used);
  return Number.isSafeInteger(used) && used > 0 ? used : object.uploaded.getTime();
}

/** Stores the same bytes again with today's use: R2 has no way to touch an object's metadata alone. */
async function recordUse(bucket: R2Bucket, object: R2Object, bytes: Uint8Array, now: number): Promise<void> {
  await bucket.put(object.key, bytes, {
    httpMetadata: object.httpMetadata ?? {},
    customMetadata: { ...object.customMetadata, used: String(now) },
  });
}

/** Past MAX_VARIANTS_PER_IMAGE, deletes an image's least recently used variants (never the one just made). */
export async function dropLeastUsed(bucket: R2Bucket, id: string, keep: string): Promise<number> {
  const variants: R2Object[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({
      prefix: `variants/${id}/`,
      include: ['customMetadata'],
      ...(cursor && { cursor }),
    });
    variants.push(...page.objects);
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  const excess = variants.length - MAX_VARIANTS_PER_IMAGE;
  if (excess <= 0) return 0;
  const victims = variants
    .filter((o) => o.key !== keep)
    .sort((a, b) => lastUse(a) - lastUse(b))
    .slice(0, excess)
    .map((o) => o.key);
  await bucket.delete(victims);
  return victims.length;
}

/** The size an object's metadata states (the consumer writes it for originals, transforms for variants). */
export function statedSize(object: R2Object): Size | null {
  const width = Number(object.customMetadata?.width);
  const height = Number(object.customMetadata?.height);
  return Number.isSafeInteger(width) && width > 0 && Number.isSafeInteger(height) && height > 0
    ? { width, height }
    : null;
}

function cachedVariant(object: R2Object, bytes: Uint8Array): Variant {
  // Originals written without a stated size report 0x0 rather than being decoded just to measure them.
  const size = statedSize(object) ?? { width: 0, height: 0 };
  const contentType = object.httpMetadata?.contentType ?? 'application/octet-stream';
  return { bytes, contentType, etag: object.httpEtag, ...size, cached: true };
}
