/**
 * The HTML gallery. GET /gallery and GET /gallery/{id} need a signed, expiring gallery link (s, exp, sig;
 * see src/gallery/link.ts) and show only that link's subject's images. Without a link, /gallery is a sign-in
 * page whose script trades a token from the URL fragment (#token=…) for a link at POST /gallery/link, so the
 * token travels only in a header, never in a URL, a log or a Referer.
 */
import { type Context, Hono } from 'hono';
import { NONCE } from 'hono/secure-headers';
import { createRequestContext, type RequestContext } from '../calls/context';
import { subjectServed } from '../config';
import { AppError } from '../errors';
import { checkGrant, type GalleryGrant, galleryLink } from '../gallery/link';
import { type GalleryQuery, loadGalleryPage, loadImageDetail, parseGalleryQuery } from '../gallery/page';
import { DetailPage, GalleryPage, MessagePage, SignInPage } from '../gallery/views';
import { transformable } from '../images/cf-images';
import type { Size } from '../images/decode';
import { signingSecret } from '../images/signing';
import { onError } from './errors';
import { nonceOf, pageHeaders } from './page-headers';
import type { AppEnv } from './types';

export const galleryRoute = new Hono<AppEnv>();

/** Images come from this Worker, which may be reached on PUBLIC_BASE_URL; originals may be on a public R2 domain. */
function imageOrigins(c: Context<AppEnv>): string {
  const { publicBaseUrl, publicImageBaseUrl } = c.var.config;
  return [publicBaseUrl, publicImageBaseUrl].flatMap((url) => (url ? [new URL(url).origin] : [])).join(' ');
}

galleryRoute.use(
  '*',
  ...pageHeaders({
    scriptSrc: [NONCE],
    imgSrc: ["'self'", imageOrigins],
    connectSrc: ["'self'"],
    formAction: ["'none'"],
  }),
);

const TITLES: Record<number, string> = { 400: 'Bad gallery link', 403: 'Link expired', 404: 'Not found' };

/** Errors as pages; the shared handler still decides the status and logs what is unexpected. */
galleryRoute.onError((error, c) => {
  const { status } = onError(error, c);
  const message =
    error instanceof AppError && status < 500
      ? error.message
      : 'Something went wrong showing the gallery; please try again.';
  const title = TITLES[status] ?? 'Gallery error';
  return c.html(<MessagePage title={title} message={message} nonce={nonceOf(c)} />, status as 400);
});

async function openGallery(
  c: Context<AppEnv>,
  query: GalleryQuery,
  missing: string,
): Promise<{ grant: GalleryGrant; ctx: RequestContext }> {
  const secret = await signingSecret(c.env.DB, c.var.config);
  const check = await checkGrant(secret, query, Math.floor(Date.now() / 1000));
  if (check.status === 'expired')
    throw new AppError(
      'forbidden',
      'This gallery link has expired. Ask the gallery_link tool for a new one, or sign in with your access token.',
    );
  // A link that is not signed, or was edited, reads exactly like a missing page, so links cannot be probed.
  if (check.status !== 'ok' || !subjectServed(c.var.config, check.grant.subject))
    throw new AppError('not_found', missing);
  return { grant: check.grant, ctx: createRequestContext(c.env, c.var.config, check.grant.subject, c.req.url) };
}

const canTransform = (ctx: RequestContext) => (size: Size) => transformable(size, ctx.variants.IMAGE_TRANSFORMS);

galleryRoute.get('/', async (c) => {
  const query = parseGalleryQuery(c.req.query());
  if (query.s === undefined && query.exp === undefined && query.sig === undefined)
    return c.html(<SignInPage nonce={nonceOf(c)} />);
  const { grant, ctx } = await openGallery(c, query, 'Gallery not found.');
  const data = await loadGalleryPage(ctx.store, await ctx.urls(), grant, query, canTransform(ctx));
  return c.html(<GalleryPage data={data} nonce={nonceOf(c)} />);
});

galleryRoute.get('/:id{[0-9a-f-]{36}}', async (c) => {
  const query = parseGalleryQuery(c.req.query());
  const { grant, ctx } = await openGallery(c, query, 'Image not found.');
  const back = { before: query.back, limit: query.limit };
  const data = await loadImageDetail(ctx.store, await ctx.urls(), grant, c.req.param('id'), back, canTransform(ctx));
  return c.html(<DetailPage data={data} nonce={nonceOf(c)} />);
});

/** POST /gallery/link (bearer-authenticated in app.ts): a fresh gallery link for the caller's subject. */
export async function createGalleryLink(c: Context<AppEnv>) {
  const ctx = createRequestContext(c.env, c.var.config, c.var.subject, c.req.url);
  const urls = await ctx.urls();
  const link = await galleryLink(urls.secret, urls.baseUrl, ctx.subject, urls.nowSeconds);
  return c.json({ url: link.url, expires_at: link.expiresAt }, 200, { 'Cache-Control': 'no-store' });
}
