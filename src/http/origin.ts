/**
 * Browser origins. A request carrying an Origin outside the allow-list is refused with 403 (DNS-rebinding
 * protection); allowed ones get CORS headers so browser-based MCP clients work.
 */
import { cors } from 'hono/cors';
import { createMiddleware } from 'hono/factory';
import type { Config } from '../config';
import { AppError } from '../errors';
import { isLoopback, isLoopbackHost } from './auth';
import type { AppEnv } from './types';

export function originAllowed(
  origin: string | undefined,
  requestUrl: string,
  config: Pick<Config, 'allowedOrigins' | 'publicBaseUrl'>,
  host?: string | undefined,
): boolean {
  if (origin === undefined) return true; // not a browser, or a same-origin navigation
  if (config.allowedOrigins.includes('*') || config.allowedOrigins.includes(origin)) return true;
  // Same origin: the server's public origin when PUBLIC_BASE_URL says it, since the Host header is the caller's.
  const own = config.publicBaseUrl ? new URL(config.publicBaseUrl).origin : new URL(requestUrl).origin;
  if (origin === own) return true;
  // A local server may be used from local pages (e.g. MCP Inspector at http://localhost:6274), both literally so.
  const originHost = /^https?:\/\/([^/]+)$/i.exec(origin)?.[1];
  return (
    !config.publicBaseUrl && originHost !== undefined && isLoopbackHost(originHost) && isLoopback(requestUrl, host)
  );
}

export const guardOrigin = createMiddleware<AppEnv>(async (c, next) => {
  if (!originAllowed(c.req.header('origin'), c.req.url, c.var.config, c.req.header('host'))) {
    throw new AppError(
      'forbidden',
      'This origin is not allowed. Add it to ALLOWED_ORIGINS to call this server from it.',
    );
  }
  await next();
});

export const corsHeaders = cors({
  origin: (origin) => origin,
  allowMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
  allowHeaders: ['Authorization', 'Content-Type', 'Accept', 'Mcp-Protocol-Version', 'Mcp-Session-Id', 'Last-Event-ID'],
  exposeHeaders: ['Mcp-Session-Id', 'Mcp-Protocol-Version', 'WWW-Authenticate'],
  maxAge: 86400,
});
