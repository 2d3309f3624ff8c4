/** Absolute URLs for stored images: signed and expiring on this Worker, or under a public R2 domain. */
import type { Config } from '../config';
import { AppError } from '../errors';
import { sign } from './signing';
import { extensionFor } from './storage';
import { canonicalQuery, normaliseTransformParams, type TransformParams } from './transform-plan';

export interface UrlContext {
  /** Origin the caller reached us on (or PUBLIC_BASE_URL), e.g. https://img.example.com */
  baseUrl: string;
  config: Pick<Config, 'publicImageBaseUrl' | 'imageUrlTtlSeconds'>;
  secret: string;
  nowSeconds: number;
}

export function imagePath(jobId: string, contentType: string): string {
  return `/images/${jobId}.${extensionFor(contentType)}`;
}

/**
 * What a signature covers: the path, plus the canonical transform query when there is one. Originals
 * (empty query) sign the bare path exactly as before, so their URLs are unchanged.
 */
export function signedResource(path: string, canonical: string): string {
  return canonical ? `${path}?${canonical}` : path;
}

/** `path` (with its canonical query) signed to be valid until `expires`, in seconds since the epoch. */
export async function signedUrlUntil(
  baseUrl: string,
  secret: string,
  path: string,
  canonical: string,
  expires: number,
): Promise<string> {
  const signature = await sign(secret, signedResource(path, canonical), expires);
  return `${baseUrl}${path}?${canonical ? `${canonical}&` : ''}exp=${expires}&sig=${signature}`;
}

function signedUrl(ctx: UrlContext, path: string, canonical: string): Promise<string> {
  // Expiry is rounded up to the hour so that repeated calls give the same URL and browsers can cache it.
  const expires = Math.ceil((ctx.nowSeconds + ctx.config.imageUrlTtlSeconds) / 3600) * 3600;
  return signedUrlUntil(ctx.baseUrl, ctx.secret, path, canonical, expires);
}

export async function imageUrl(ctx: UrlContext, jobId: string, contentType: string): Promise<string> {
  if (ctx.config.publicImageBaseUrl) return `${ctx.config.publicImageBaseUrl}/originals/${jobId}`;
  return signedUrl(ctx, imagePath(jobId, contentType), '');
}

/**
 * A signed URL for a transformed variant. The path keeps the original's extension (`contentType` is the
 * original's); the response's Content-Type is the variant's. Throws a 400 for invalid params.
 */
export async function variantUrl(
  ctx: UrlContext,
  jobId: string,
  contentType: string,
  params: TransformParams,
): Promise<string> {
  const canonical = canonicalQuery(normaliseTransformParams(params));
  if (!canonical) return imageUrl(ctx, jobId, contentType);
  // Variants are made by this Worker, so they are served from it even when originals have a public domain.
  return signedUrl(ctx, imagePath(jobId, contentType), canonical);
}

/**
 * Runs `make` (a transform or preview of an image). An image this server cannot transform is refused with
 * the reason and a link to its original, which is always served as it is.
 */
export async function orOriginal<T>(make: () => Promise<T>, original: () => Promise<string>): Promise<T> {
  try {
    return await make();
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'payload_too_large') throw error;
    throw new AppError('payload_too_large', `${error.message} The original, as it is: ${await original()}`, {
      cause: error,
    });
  }
}
