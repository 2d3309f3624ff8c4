/** Absolute URLs for stored images: signed and expiring on this Worker, or under a public R2 domain. */
import type { Config } from '../config';
import { sign } from './signing';
import { extensionFor } from './storage';

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

export async function imageUrl(ctx: UrlContext, jobId: string, contentType: string): Promise<string> {
  if (ctx.config.publicImageBaseUrl) return `${ctx.config.publicImageBaseUrl}/originals/${jobId}`;
  const path = imagePath(jobId, contentType);
  // Expiry is rounded up to the hour so that repeated calls give the same URL and browsers can cache it.
  const expires = Math.ceil((ctx.nowSeconds + ctx.config.imageUrlTtlSeconds) / 3600) * 3600;
  const signature = await sign(ctx.secret, path, expires);
  return `${ctx.baseUrl}${path}?exp=${expires}&sig=${signature}`;
}
