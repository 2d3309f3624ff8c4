/** What the gallery shows, as plain data: a page of cards with its paging links, or one image in detail. */
import * as z from 'zod';
import { AppError } from '../errors';
import { imageUrl, type UrlContext, variantUrl } from '../images/urls';
import type { ImagePosition, JobStore } from '../jobs/store';
import { type JobView, toView } from '../jobs/view';
import { type GalleryGrant, galleryHref } from './link';

export const PAGE_SIZE = 24;
export const THUMBNAIL = { width: 256, height: 256, format: 'jpeg', quality: 75 } as const;
const PREVIEW_WIDTH = 1024;

const position = z
  .string()
  .regex(/^\d{1,15}\.[0-9a-f-]{36}$/, 'is not a page position from this gallery')
  .optional();

/** Navigation state in a gallery URL; s/exp/sig are checked separately (see link.ts). Unknown keys are ignored. */
export const GalleryQuerySchema = z.object({
  s: z.string().max(64).optional(),
  exp: z.string().max(16).optional(),
  sig: z.string().max(64).optional(),
  /** Show images older than this position (a page of the list). */
  before: position,
  /** On a detail view: the list page to go back to. */
  back: position,
  limit: z.coerce.number().int().min(1).max(60).optional(),
});
export type GalleryQuery = z.infer<typeof GalleryQuerySchema>;

export function parseGalleryQuery(query: Record<string, string>): GalleryQuery {
  const parsed = GalleryQuerySchema.safeParse(query);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `"${i.path.join('.')}" ${i.message}`).join('; ');
    throw new AppError('bad_request', `Invalid gallery link: ${detail}.`);
  }
  return parsed.data;
}

export const encodePosition = (p: ImagePosition) => `${p.createdAt}.${p.id}`;

function decodePosition(text: string): ImagePosition {
  const dot = text.indexOf('.');
  return { createdAt: Number(text.slice(0, dot)), id: text.slice(dot + 1) };
}

export interface Card {
  id: string;
  prompt: string;
  provider: string | null;
  model: string | null;
  width: number;
  height: number;
  createdAt: string;
  thumbnailUrl: string;
  href: string;
}

export interface GalleryPageData {
  cards: Card[];
  /** The next page of older images, when there is one. */
  olderHref: string | undefined;
  /** Back to the newest images, when this is not the first page. */
  newestHref: string | undefined;
  expiresAt: string;
}

/**
 * Whether this server can make a smaller view of an image (see images/cf-images.ts). One it cannot is shown
 * from its original, scaled by the browser: slower to load, but never missing.
 */
export type CanTransform = (size: { width: number; height: number }) => boolean;

export async function loadGalleryPage(
  store: JobStore,
  urls: UrlContext,
  grant: GalleryGrant,
  query: Pick<GalleryQuery, 'before' | 'limit'>,
  canTransform: CanTransform,
): Promise<GalleryPageData> {
  const limit = query.limit ?? PAGE_SIZE;
  const page = await store.listImages(grant.subject, {
    before: query.before ? decodePosition(query.before) : undefined,
    limit,
  });
  // Paging links keep a custom page size, so a test (or a user) can page through small pages.
  const size = query.limit === undefined ? undefined : String(limit);
  const cards = await Promise.all(
    page.jobs.map(
      async (job): Promise<Card> => ({
        id: job.id,
        prompt: job.prompt,
        provider: job.provider,
        model: job.model,
        width: job.width,
        height: job.height,
        createdAt: new Date(job.created_at).toISOString(),
        thumbnailUrl: canTransform(job)
          ? await variantUrl(urls, job.id, job.content_type ?? 'image/png', THUMBNAIL)
          : await imageUrl(urls, job.id, job.content_type ?? 'image/png'),
        href: galleryHref(grant, `/${job.id}`, { back: query.before, limit: size }),
      }),
    ),
  );
  const last = page.jobs.at(-1);
  return {
    cards,
    olderHref:
      page.hasMore && last
        ? galleryHref(grant, '', { before: encodePosition({ createdAt: last.created_at, id: last.id }), limit: size })
        : undefined,
    newestHref: query.before ? galleryHref(grant, '', { limit: size }) : undefined,
    expiresAt: new Date(grant.expires * 1000).toISOString(),
  };
}

export interface DetailData {
  view: JobView;
  previewUrl: string;
  originalUrl: string;
  backHref: string;
}

/** One finished image of the grant's subject; another subject's id, or an unfinished job, is "not found". */
export async function loadImageDetail(
  store: JobStore,
  urls: UrlContext,
  grant: GalleryGrant,
  id: string,
  back: Pick<GalleryQuery, 'before' | 'limit'>,
  canTransform: CanTransform,
): Promise<DetailData> {
  const job = await store.get(grant.subject, id);
  if (job?.status !== 'completed' || !job.content_type) throw new AppError('not_found', 'Image not found.');
  const view = await toView(job, urls);
  const originalUrl = view.image_url!;
  const previewUrl =
    job.width > PREVIEW_WIDTH && canTransform(job)
      ? await variantUrl(urls, job.id, job.content_type, { width: PREVIEW_WIDTH })
      : originalUrl;
  const backHref = galleryHref(grant, '', {
    before: back.before,
    limit: back.limit === undefined ? undefined : String(back.limit),
  });
  return { view, previewUrl, originalUrl, backHref };
}
