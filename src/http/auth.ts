/**
 * Bearer-token authentication. Tokens map to subjects (AUTH_TOKEN is the subject "default"); with no token
 * configured only loopback requests are served, unless the operator opts into anonymous use.
 */
import type { OAuthResourceAuth } from '@cloudflare/workers-oauth-provider';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { Config } from '../config';
import { AppError } from '../errors';
import { SCOPE } from '../oauth/scopes';
import type { OAuthProps } from '../oauth/server';

/** A configured token, local mode and anonymous callers may do everything. */
const ALL_SCOPES: ReadonlySet<string> = new Set([SCOPE.read, SCOPE.write]);

import type { AppEnv } from './types';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Whether a host, as the client wrote it (a Host header, or the host of an Origin), is literally a loopback
 * name or address. Literal on purpose: URL parsing turns `127.1` and `0x7f000001` into 127.0.0.1, and those
 * spellings must not open local mode.
 */
export function isLoopbackHost(raw: string): boolean {
  const host = raw.trim().toLowerCase();
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  return LOOPBACK.has(name) || /^[a-z0-9-]+(\.[a-z0-9-]+)*\.localhost$/.test(name);
}

/** A request's host as sent: its Host header, or for a request built in code (no Host), its URL's host. */
export function isLoopback(url: string, hostHeader?: string | undefined): boolean {
  return isLoopbackHost(hostHeader ?? new URL(url).host);
}

const encoder = new TextEncoder();

/** Compares every configured token in constant time, so timing tells neither which nor how much matched. */
export function subjectForToken(tokens: Config['tokens'], presented: string): string | undefined {
  const given = encoder.encode(presented);
  let found: string | undefined;
  for (const [token, subject] of tokens) {
    const expected = encoder.encode(token);
    const equal =
      given.byteLength === expected.byteLength
        ? crypto.subtle.timingSafeEqual(given, expected)
        : !crypto.subtle.timingSafeEqual(expected, expected);
    if (equal) found = subject;
  }
  return found;
}

export function authenticate(
  config: Config,
  url: string,
  authorization: string | undefined,
  host?: string | undefined,
): string {
  if (config.tokens.size === 0) {
    if (config.allowAnonymous) return 'anonymous';
    if (isLoopback(url, host)) return 'local';
    throw new AppError(
      'unauthorized',
      'This server has no access token configured, so it only serves requests to localhost. ' +
        'Set AUTH_TOKEN (wrangler secret put AUTH_TOKEN) or AUTH_TOKENS, or ALLOW_ANONYMOUS=true to allow anyone.',
    );
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) throw new AppError('unauthorized', 'Missing bearer token: send "Authorization: Bearer <token>".');
  const subject = subjectForToken(config.tokens, match[1]!);
  if (!subject) throw new AppError('unauthorized', 'Invalid bearer token.');
  return subject;
}

/**
 * The subject of a request an OAuth resource server let through (src/oauth/entry.ts): it validated the
 * bearer token, an OAuth access token or a configured one, and put the grant on the execution context.
 */
function grantOf(ctx: object | undefined): { subject: string; auth: OAuthResourceAuth } | undefined {
  const granted = ctx as { props?: Partial<OAuthProps>; auth?: OAuthResourceAuth } | undefined;
  const subject = granted?.props?.subject;
  return granted?.auth && typeof subject === 'string' ? { subject, auth: granted.auth } : undefined;
}

function executionContextOf(c: Context<AppEnv>): object | undefined {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}

export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  const grant = grantOf(executionContextOf(c));
  if (grant) {
    c.set('subject', grant.subject);
    c.set('scopes', new Set(grant.auth.scope));
    c.set('auth', grant.auth);
  } else {
    c.set('subject', authenticate(c.var.config, c.req.url, c.req.header('authorization'), c.req.header('host')));
    c.set('scopes', ALL_SCOPES);
  }
  await next();
});
