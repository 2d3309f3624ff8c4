/**
 * Transformed variants of stored originals, each computed once: R2 keeps it at variants/{id}/{canonical
 * params}, so equivalent requests share one object and a repeat request is one R2 read with no decoding.
 * delete_image and retention remove the whole variants/{id}/ prefix along with the original.
 */
import { AppError } from '../errors';
import { imageDimensions } from '../providers/sniff';
import { originalKey } from './storage';
import { transformImage } from './transform';
import {
  canonicalQuery,
  normaliseTransformParams,
  planTransform,
  type Size,
  TRANSFORM_LIMITS,
  type TransformParams,
} from './transform-plan';

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
export async function getVariant(env: { IMAGES: R2Bucket }, id: string, params: TransformParams): Promise<Variant> {
  if (!JOB_ID.test(id)) throw notFound();
  const normal = normaliseTransformParams(params);
  const query = canonicalQuery(normal);
  const key = query ? variantKey(id, normal) : originalKey(id);
  const cached = await env.IMAGES.get(key);
  if (cached) return cachedVariant(cached, new Uint8Array(await cached.arrayBuffer()));
  if (!query) throw notFound();

  // Size and bounds are checked from the original's metadata before its body is fetched.
  const head = await env.IMAGES.head(originalKey(id));
  if (!head) throw notFound();
  if (head.size > TRANSFORM_LIMITS.maxSourceBytes)
    throw new AppError(
      'payload_too_large',
      `The source image is ${head.size} bytes; transforms accept at most ${TRANSFORM_LIMITS.maxSourceBytes}.`,
    );
  const contentType = head.httpMetadata?.contentType ?? 'application/octet-stream';
  const stated = sizeOf(head);
  if (stated) planTransform(normal, { ...stated, contentType });

  const original = await env.IMAGES.get(originalKey(id));
  if (!original) throw notFound();
  const bytes = new Uint8Array(await original.arrayBuffer());
  // The header's own size is checked too, before decoding: a small file can still claim a huge canvas.
  const header = imageDimensions(bytes);
  if (!header) throw new AppError('internal', 'The stored image could not be decoded.');
  planTransform(normal, { ...header, contentType });
  const result = await transformImage(bytes, (size) => planTransform(normal, { ...size, contentType }));
  const stored = await env.IMAGES.put(key, result.bytes, {
    httpMetadata: { contentType: result.contentType },
    customMetadata: { source: id, width: String(result.width), height: String(result.height) },
  });
  return { ...result, etag: stored.httpEtag, cached: false };
}

function sizeOf(object: R2Object): Size | null {
  const width = Number(object.customMetadata?.width);
  const height = Number(object.customMetadata?.height);
  return Number.isSafeInteger(width) && width > 0 && Number.isSafeInteger(height) && height > 0
    ? { width, height }
    : null;
}

function cachedVariant(object: R2Object, bytes: Uint8Array): Variant {
  // Originals written without a stated size report 0x0 rather than being decoded just to measure them.
  const size = sizeOf(object) ?? { width: 0, height: 0 };
  const contentType = object.httpMetadata?.contentType ?? 'application/octet-stream';
  return { bytes, contentType, etag: object.httpEtag, ...size, cached: true };
}
