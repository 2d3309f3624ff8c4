/**
 * The client's side of an OAuth sign-in in the browser tests: a callback server the browser lands on, dynamic
 * registration, the /authorize URL with PKCE, the code exchange and a tools/list with the token.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';

export interface OAuthTestClient {
  /** Where the browser is sent back: answers a plain page. */
  redirectUri: string;
  close(): void;
}

export async function startCallback(): Promise<OAuthTestClient> {
  const server: Server = createServer((_, res) => res.end('signed in'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    redirectUri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`,
    close: () => server.close(),
  };
}

export interface SignInStart {
  clientId: string;
  verifier: string;
  /** /authorize for this client, asking for reading, changing and (with refresh) offline_access. */
  url: string;
}

const base64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

/** Registers a public client at `baseUrl` and builds its /authorize URL (state `state`). */
export async function startSignIn(
  baseUrl: string,
  redirectUri: string,
  name: string,
  options: { state: string; refresh?: boolean },
): Promise<SignInStart> {
  const registered = await fetch(`${baseUrl}/oauth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: name,
      redirect_uris: [redirectUri],
      token_endpoint_auth_method: 'none',
      grant_types: options.refresh ? ['authorization_code', 'refresh_token'] : ['authorization_code'],
    }),
  });
  expect(registered.status).toBe(201);
  const { client_id } = (await registered.json()) as { client_id: string };
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', Buffer.from(verifier))));
  const query = new URLSearchParams({
    response_type: 'code',
    client_id,
    redirect_uri: redirectUri,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: options.state,
    scope: `images:read images:write${options.refresh ? ' offline_access' : ''}`,
    resource: `${baseUrl}/mcp`,
  });
  return { clientId: client_id, verifier, url: `${baseUrl}/authorize?${query}` };
}

export interface Issued {
  access_token: string;
  refresh_token?: string;
  scope: string;
}

/** The code exchanged at the token endpoint, as a public client with PKCE. */
export async function exchangeCode(
  baseUrl: string,
  redirectUri: string,
  start: SignInStart,
  code: string,
): Promise<Issued> {
  const response = await fetch(`${baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: start.clientId,
      code_verifier: start.verifier,
      resource: `${baseUrl}/mcp`,
    }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Issued;
}

/** tools/list on /mcp with a bearer token. */
export function listTools(baseUrl: string, token: string): Promise<Response> {
  return fetch(`${baseUrl}/mcp`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
}
