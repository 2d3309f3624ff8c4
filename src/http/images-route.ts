/**
 * GET /images/{id}.{ext}?[transform params&]exp&sig — stored originals, and transformed variants of them,
 * behind signed, expiring URLs (no bearer token needed). The signature covers the path and the canonical
 * transform query, so a link to one variant cannot be edited into another. {ext} stays the original's;
 * a variant's Content-Type is its own format. Parameters: see src/images/transform-plan.ts.
 */
import { type Context, Hono } from 'hono';
import { AppError } from '../errors';
import { parseExpiry, signingSecret, verify } from '../images/signing';
import { extensionFor, originalKey } from '../images/storage';
import { canonicalQuery, parseTransformParams, type TransformParams } from '../images/transform-plan';
import { orOriginal, signedResource, signedUrlUntil } from '../images/urls';
import { getVariant } from '../images/variants';
import type { AppEnv } from './types';

export const imagesRoute = new Hono<AppEnv>();

/** Milliseconds for a Server-Timing entry. */
const elapsed = (since: number) => (performance.now() - since).toFixed(1);

imagesRoute.on(['GET', 'HEAD'], '/:file{[0-9a-f-]{36}\\.[a-z]{3,4}}', async (c) => {
  const started = performance.now();
  const file = c.req.param('file');
  const [id, ext] = file.split('.') as [string, string];
  const { exp, sig, ...query } = c.req.query();
  // Parameters are checked before anything else: a bad one is a clear 400 and touches no storage.
  const params = parseTransformParams(query);
  const canonical = canonicalQuery(params);
  const expires = parseExpiry(exp) ?? Number.NaN;
  const secret = await signingSecret(c.env.DB, c.var.config);
  const nowSeconds = Math.floor(Date.now() / 1000);
  const check = await verify(secret, signedResource(`/images/${file}`, canonical), expires, sig ?? '', nowSeconds);
  // Bad and missing signatures answer like a missing image, so URLs cannot be probed.
  if (check === 'invalid') throw new AppError('not_found', 'Image not found.');
  if (check === 'expired')
    throw new AppError('forbidden', 'This image link has expired; ask for the job again to get a fresh link.');
  const headers = new Headers({
    // The URL embeds its expiry, so the bytes behind it never change.
    'Cache-Control': `private, max-age=${Math.max(0, expires - nowSeconds)}, immutable`,
    'X-Content-Type-Options': 'nosniff',
    'Access-Control-Allow-Origin': '*',
  });
  // A variant this server cannot make names the original instead, under the same expiry as this link.
  const original = async () => {
    const { publicBaseUrl, publicImageBaseUrl } = c.var.config;
    if (publicImageBaseUrl) return `${publicImageBaseUrl}/originals/${id}`;
    return signedUrlUntil(publicBaseUrl ?? new URL(c.req.url).origin, secret, `/images/${file}`, '', expires);
  };
  const response = await (canonical
    ? orOriginal(() => serveVariant(c, id, params, headers), original)
    : serveOriginal(c, id, ext, headers));
  // The whole handler, signature check included (a variant's own time is its `transform` entry). Workers
  // advance the clock only at I/O, so this is wall time up to the last storage call, not CPU time.
  response.headers.append('Server-Timing', `total;dur=${elapsed(started)}`);
  return response;
});

async function serveOriginal(c: Context<AppEnv>, id: string, ext: string, headers: Headers): Promise<Response> {
  const object = await c.env.IMAGES.get(originalKey(id), { onlyIf: c.req.raw.headers });
  if (!object) throw new AppError('not_found', 'Image not found.');
  const contentType = object.httpMetadata?.contentType ?? 'application/octet-stream';
  if (extensionFor(contentType) !== ext) throw new AppError('not_found', 'Image not found.');
  headers.set('Content-Type', contentType);
  headers.set('ETag', object.httpEtag);
  headers.set('Last-Modified', object.uploaded.toUTCString());
  if (!('body' in object)) return new Response(null, { status: 304, headers });
  headers.set('Content-Length', String(object.size));
  return new Response(c.req.method === 'HEAD' ? null : object.body, { headers });
}

async function serveVariant(
  c: Context<AppEnv>,
  id: string,
  params: TransformParams,
  headers: Headers,
): Promise<Response> {
  const started = performance.now();
  const variant = await getVariant(c.env, id, params);
  headers.set('Content-Type', variant.contentType);
  headers.set('Server-Timing', `transform;desc="${variant.cached ? 'hit' : 'miss'}";dur=${elapsed(started)}`);
  headers.set('ETag', variant.etag);
  // Lets clients and the benchmark tell a cached variant from one computed for this request.
  headers.set('X-Transform', variant.cached ? 'hit' : 'miss');
  if (etagMatches(c.req.header('if-none-match'), variant.etag)) return new Response(null, { status: 304, headers });
  headers.set('Content-Length', String(variant.bytes.byteLength));
  return new Response(c.req.method === 'HEAD' ? null : variant.bytes, { headers });
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}
