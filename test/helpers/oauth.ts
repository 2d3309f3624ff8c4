/**
 * An OAuth client and its user, against the Worker under test: dynamic registration, PKCE, the sign-in and
 * consent page (its handle and the cookie that binds it to one browser), and the token endpoint, which also
 * answers revocation (RFC 7009).
 */
import { expect } from 'vitest';
import { ORIGIN, request } from './mcp';

export const REDIRECT = 'http://localhost:9876/callback';

export async function json<T>(response: Response): Promise<T> {
  expect(response.headers.get('content-type')).toContain('application/json');
  return (await response.json()) as T;
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

export async function pkce() {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = base64url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  return { verifier, challenge };
}

export async function registerClient(name = 'Test client'): Promise<string> {
  const response = await request('/oauth/register', {
    method: 'POST',
    token: null,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: name,
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    }),
  });
  expect(response.status).toBe(201);
  return (await json<{ client_id: string }>(response)).client_id;
}

/** The page's form: its handle, and the cookie that binds it to this browser. */
export async function openConsent(path: string) {
  const page = await request(path, { token: null });
  expect(page.status).toBe(200);
  const html = await page.text();
  const handle = /name="handle" value="([^"]+)"/.exec(html)?.[1];
  const cookie = page.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return { page, html, handle: handle!, cookie };
}

/** The consent form posted from a browser; `headers` stand in for what a proxy adds (cf-connecting-ip). */
export function submit(
  path: string,
  cookie: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return request(path, {
    method: 'POST',
    token: null,
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

/** /authorize for a public client with PKCE, as a client opens it in the person's browser. */
export function authorizePath(clientId: string, challenge: string, extra: Record<string, string> = {}): string {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  });
  return `/authorize?${query}`;
}

/** The code in the redirect back to the client, after Allow. */
export function codeOf(allowed: Response): string {
  expect(allowed.status).toBe(302);
  const code = new URL(allowed.headers.get('location')!).searchParams.get('code');
  expect(code).toBeTruthy();
  return code!;
}

/** How a test reaches the Worker: the default settings, or its own (see workerFetchWith in app.ts). */
export type Send = (path: string, init: RequestInit & { token?: string | null }) => Promise<Response>;

/** A form POST to the token endpoint: a grant, or with `token` and no grant_type, a revocation. */
export function tokenEndpoint(fields: Record<string, string>, send: Send = request): Promise<Response> {
  return send('/oauth/token', {
    method: 'POST',
    token: null,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}

/** Exchanges an authorization code as a public client does (PKCE, the resource named). */
export function exchangeCode(
  clientId: string,
  code: string,
  verifier: string,
  overrides: Record<string, string> = {},
  send: Send = request,
): Promise<Response> {
  return tokenEndpoint(
    {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      client_id: clientId,
      code_verifier: verifier,
      resource: `${ORIGIN}/mcp`,
      ...overrides,
    },
    send,
  );
}

export function refresh(clientId: string, refreshToken: string, send: Send = request): Promise<Response> {
  return tokenEndpoint({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId }, send);
}

export function revoke(clientId: string, token: string, hint: 'access_token' | 'refresh_token'): Promise<Response> {
  return tokenEndpoint({ token, token_type_hint: hint, client_id: clientId });
}

export interface IssuedTokens {
  access_token: string;
  refresh_token?: string;
  token_type: string;
  scope: string;
}

export interface SignedIn extends IssuedTokens {
  clientId: string;
}

/**
 * The whole flow for a new client: a person signs in on the consent page with a configured access token and
 * allows (changing left ticked, refresh asked for), and the client exchanges the code for `resource`.
 */
export async function signIn(token: string, resource = `${ORIGIN}/mcp`): Promise<SignedIn> {
  const clientId = await registerClient();
  const { verifier, challenge } = await pkce();
  const path = authorizePath(clientId, challenge, {
    scope: 'images:read images:write offline_access',
    resource,
  });
  const consent = await openConsent(path);
  const allowed = await submit(path, consent.cookie, { handle: consent.handle, decision: 'allow', token, write: '1' });
  const exchanged = await exchangeCode(clientId, codeOf(allowed), verifier, { resource });
  expect(exchanged.status).toBe(200);
  return { clientId, ...(await json<IssuedTokens>(exchanged)) };
}

/** An MCP request with a bearer token, answered 200 when the token is accepted for `path`. */
export function listTools(token: string, path = '/mcp'): Promise<Response> {
  return request(path, {
    method: 'POST',
    token,
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
}
