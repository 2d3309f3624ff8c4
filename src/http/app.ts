/** The HTTP surface: routes, and the middleware every request passes through, in order. */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { ConfigError, loadConfig } from '../config';
import { AppError } from '../errors';
import { SERVER_INFO } from '../identity';
import { authorizeRoute } from '../oauth/authorize-route';
import { requireAuth } from './auth';
import { notFound, onError } from './errors';
import { createGalleryLink, galleryRoute } from './gallery-route';
import { imagesRoute } from './images-route';
import { handleStreamableHttp } from './mcp-route';
import { corsHeaders, guardOrigin } from './origin';
import { rateLimit } from './rate-limit';
import { sseRoute } from './sse-route';
import type { AppEnv } from './types';

const withConfig = createMiddleware<AppEnv>(async (c, next) => {
  c.set('config', loadConfig(c.env));
  await next();
});

const limitBody = createMiddleware<AppEnv>((c, next) =>
  bodyLimit({
    maxSize: c.var.config.maxBodyBytes,
    onError: () => {
      throw new AppError('payload_too_large', `Request body is larger than ${c.var.config.maxBodyBytes} bytes.`);
    },
  })(c, next),
);

export const app = new Hono<AppEnv>();

app.onError(onError);
app.notFound(notFound);

/**
 * Health for monitors and load balancers: 503 when the configuration is invalid (every other route would answer
 * 500), naming the settings to fix but never their values.
 */
app.get('/health', (c) => {
  const about = { name: SERVER_INFO.name, version: SERVER_INFO.version };
  try {
    loadConfig(c.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return c.json({ status: 'misconfigured', invalid_settings: error.settings, ...about }, 503);
  }
  return c.json({ status: 'ok', ...about });
});

app.use('*', withConfig);
// Image URLs are signed capabilities: any page holding one may load it, so no origin check applies.
app.route('/images', imagesRoute);
// OAuth sign-in (on when tokens are configured and OAUTH_KV is bound; the library's endpoints: src/oauth/entry.ts).
// Its form is bound to the browser by the library's single-use handle and cookie, and posts with no Referer, so
// browsers send "Origin: null": the origin check below (for the API's callers) does not apply to it.
app.route('/authorize', authorizeRoute);
app.use('*', guardOrigin, corsHeaders);

app.use('/mcp', requireAuth, rateLimit, limitBody);
app.use('/sse', requireAuth, rateLimit, limitBody);
app.use('/sse/*', requireAuth, rateLimit, limitBody);
app.all('/mcp', handleStreamableHttp);
app.route('/sse', sseRoute);

// The gallery's pages check their own signed links; only the token-for-link exchange takes a bearer token.
app.post('/gallery/link', requireAuth, rateLimit, limitBody, createGalleryLink);
app.route('/gallery', galleryRoute);
