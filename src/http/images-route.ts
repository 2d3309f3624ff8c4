/** GET /images/{id}.{ext}?exp&sig — stored originals behind signed, expiring URLs (no bearer token needed). */
import { Hono } from 'hono';
import { AppError } from '../errors';
import { signingSecret, verify } from '../images/signing';
import { extensionFor, originalKey } from '../images/storage';
import type { AppEnv } from './types';

export const imagesRoute = new Hono<AppEnv>();

imagesRoute.on(['GET', 'HEAD'], '/:file{[0-9a-f-]{36}\\.[a-z]{3,4}}', async (c) => {
  const file = c.req.param('file');
  const [id, ext] = file.split('.') as [string, string];
  const expires = Number(c.req.query('exp'));
  const signature = c.req.query('sig') ?? '';
  const secret = await signingSecret(c.env.DB, c.var.config);
  const nowSeconds = Math.floor(Date.now() / 1000);
  const check = await verify(secret, `/images/${file}`, expires, signature, nowSeconds);
  // Bad and missing signatures answer like a missing image, so URLs cannot be probed.
  if (check === 'invalid') throw new AppError('not_found', 'Image not found.');
  if (check === 'expired')
    throw new AppError('forbidden', 'This image link has expired; ask for the job again to get a fresh link.');

  const object = await c.env.IMAGES.get(originalKey(id), { onlyIf: c.req.raw.headers });
  if (!object) throw new AppError('not_found', 'Image not found.');
  const contentType = object.httpMetadata?.contentType ?? 'application/octet-stream';
  if (extensionFor(contentType) !== ext) throw new AppError('not_found', 'Image not found.');
  const headers = new Headers({
    'Content-Type': contentType,
    ETag: object.httpEtag,
    'Last-Modified': object.uploaded.toUTCString(),
    // The URL embeds its expiry, so the bytes behind it never change.
    'Cache-Control': `private, max-age=${Math.max(0, expires - nowSeconds)}, immutable`,
    'X-Content-Type-Options': 'nosniff',
    'Access-Control-Allow-Origin': '*',
  });
  if (!('body' in object)) return new Response(null, { status: 304, headers });
  headers.set('Content-Length', String(object.size));
  return new Response(c.req.method === 'HEAD' ? null : object.body, { headers });
});
