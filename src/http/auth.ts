/**
 * Bearer-token authentication. Tokens map to subjects (AUTH_TOKEN is the subject "default"); with no token
 * configured only loopback requests are served, unless the operator opts into anonymous use.
 */
import type { OAuthResourceAuth } from '@cloudflare/workers-oauth-provider';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { type Config, scopesOf, subjectForToken } from '../config';
import { AppError } from '../errors';
import { type OAuthProps, oauthEnabled, oauthOrigin, RESOURCE_PATHS, validOAuthToken } from '../oauth/server';
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

/** The token of an `Authorization: Bearer <token>` header. */
function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
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
  const token = bearerToken(authorization);
  if (!token) throw new AppError('unauthorized', 'Missing bearer token: send "Authorization: Bearer <token>".');
  const subject = subjectForToken(config.tokens, token);
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

/**
 * A bearer token on a route outside the OAuth resource servers (the gallery link): one issued by this server
 * for /mcp, validated here as the resource server would. Undefined for anything else (configured tokens go
 * through `authenticate`).
 */
async function oauthTokenGrant(c: Context<AppEnv>): Promise<Grant | undefined> {
  const { config } = c.var;
  const token = bearerToken(c.req.header('authorization'));
  if (!token || !oauthEnabled(config, c.env) || subjectForToken(config.tokens, token)) return undefined;
  const origin = oauthOrigin(config, c.req.url);
  const valid = await validOAuthToken(config, origin, `${origin}${RESOURCE_PATHS[0]}`, token, c.env);
  if (!valid) throw new AppError('unauthorized', 'Invalid bearer token.');
  const auth = { token, audience: valid.audience, scope: valid.scope, userId: valid.userId, clientId: valid.clientId };
  return { subject: valid.props.subject, auth };
}

type Grant = NonNullable<ReturnType<typeof grantOf>>;

/**
 * The caller's subject and what it may do: a token's grant (its credential still good: src/oauth/credentials.ts,
 * checked by the validators), never more than its subject's SUBJECT_SCOPES now (a grant made before the subject
 * was narrowed is narrowed with it). Local mode and anonymous callers are subjects too ("local",
 * "anonymous") and may be narrowed the same way.
 */
export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  const { config } = c.var;
  const grant = grantOf(executionContextOf(c)) ?? (await oauthTokenGrant(c));
  if (grant) {
    const allowed = scopesOf(config, grant.subject);
    c.set('subject', grant.subject);
    c.set('scopes', new Set(grant.auth.scope.filter((scope) => allowed.has(scope))));
    c.set('auth', grant.auth);
  } else {
    const subject = authenticate(config, c.req.url, c.req.header('authorization'), c.req.header('host'));
    c.set('subject', subject);
    c.set('scopes', scopesOf(config, subject));
  }
  await next();
});
