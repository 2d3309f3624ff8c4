/**
 * Signing in with OAuth in a real browser: Debian's Chromium, driven by playwright-core, against `wrangler dev`,
 * as a hosted client's user would. A client registers, the browser opens /authorize, the person types an access
 * token and allows; the client's callback gets a code, which it exchanges (PKCE) for an access token that then
 * works on /mcp; the client then refreshes it with the MCP SDK's own refresh, and revokes it at the RFC 7009
 * endpoint the metadata advertises, after which /mcp refuses it. Checks what only a browser shows: the page's CSP
 * lets it render and post, its browser-bound cookie survives, and the redirect reaches the client. Deny sends
 * access_denied back.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { discoverOAuthServerInfo, refreshAuthorization } from '@modelcontextprotocol/client';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TOKENS } from '../helpers/tokens';
import { launchChromium } from './chromium';

const baseUrl = inject('baseUrl');

let browser: Browser;
let callback: Server;
let redirectUri: string;

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

beforeAll(async () => {
  // The client's redirect target: answers a plain page, so the browser lands somewhere.
  callback = createServer((_, res) => res.end('signed in'));
  await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
  redirectUri = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  callback?.close();
});

async function registeredClient(): Promise<string> {
  const response = await fetch(`${baseUrl}/oauth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: 'Browser test client',
      redirect_uris: [redirectUri],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
    }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { client_id: string }).client_id;
}

async function authorizeUrl(clientId: string, challenge: string): Promise<string> {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'browser-state',
    scope: 'images:read images:write offline_access',
    resource: `${baseUrl}/mcp`,
  });
  return `${baseUrl}/authorize?${query}`;
}

/** tools/list on /mcp with a bearer token. */
function listTools(token: string): Promise<Response> {
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

describe('OAuth sign-in in Chromium', () => {
  it('signs in with an access token, allows, and the client gets a token that works on /mcp, refreshes and revokes it', async () => {
    const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
    const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', Buffer.from(verifier))));
    const clientId = await registeredClient();
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));

    const opened = await page.goto(await authorizeUrl(clientId, challenge));
    expect(opened?.status()).toBe(200);
    await expect.poll(() => page.locator('h1').textContent()).toContain('Browser test client');
    expect(await page.locator('body').textContent()).toContain('127.0.0.1');

    await page.fill('input[name="token"]', TOKENS.alice);
    await Promise.all([page.waitForURL(`${redirectUri}?**`), page.click('button[value="allow"]')]);
    const back = new URL(page.url());
    expect(back.searchParams.get('state')).toBe('browser-state');
    const code = back.searchParams.get('code');
    expect(code).toBeTruthy();
    expect(problems).toEqual([]);

    const tokenResponse = await fetch(`${baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: code!,
        redirect_uri: redirectUri,
        client_id: clientId,
        code_verifier: verifier,
        resource: `${baseUrl}/mcp`,
      }),
    });
    expect(tokenResponse.status).toBe(200);
    const issued = (await tokenResponse.json()) as { access_token: string; refresh_token: string; scope: string };
    // The "change" box was left ticked, and a real browser posts it with the form.
    expect(issued.scope.split(' ')).toContain('images:write');
    expect((await listTools(issued.access_token)).status).toBe(200);
    await page.close();

    // The client's side from here on is the MCP SDK's: discovery from the resource, then its refresh.
    const resource = new URL(`${baseUrl}/mcp`);
    const { authorizationServerUrl, authorizationServerMetadata: metadata } = await discoverOAuthServerInfo(resource);
    // RFC 8414 metadata (not OpenID's, which has no revocation endpoint) advertising RFC 7009 revocation.
    const revocationEndpoint = metadata && 'revocation_endpoint' in metadata ? metadata.revocation_endpoint : undefined;
    expect(revocationEndpoint).toBe(`${baseUrl}/oauth/token`);
    const clientInformation = { client_id: clientId };
    const refreshed = await refreshAuthorization(authorizationServerUrl, {
      metadata,
      clientInformation,
      refreshToken: issued.refresh_token,
      resource,
    });
    expect(refreshed.access_token).not.toBe(issued.access_token);
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(issued.refresh_token);
    expect((await listTools(refreshed.access_token)).status).toBe(200);

    const revoke = (token: string, hint: string) =>
      fetch(revocationEndpoint!, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, token_type_hint: hint, client_id: clientId }),
      });
    expect((await revoke(refreshed.access_token, 'access_token')).status).toBe(200);
    const refused = await listTools(refreshed.access_token);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');

    // Revoking the refresh token ends the grant: no more refreshing.
    expect((await revoke(refreshed.refresh_token!, 'refresh_token')).status).toBe(200);
    await expect(
      refreshAuthorization(authorizationServerUrl, {
        metadata,
        clientInformation,
        refreshToken: refreshed.refresh_token!,
        resource,
      }),
    ).rejects.toMatchObject({ code: 'invalid_grant' });
  });

  it('sends a refusal back to the client as access_denied', async () => {
    const clientId = await registeredClient();
    const page = await browser.newPage();
    await page.goto(await authorizeUrl(clientId, base64url(crypto.getRandomValues(new Uint8Array(32)))));
    await Promise.all([page.waitForURL(`${redirectUri}?**`), page.click('button[value="deny"]')]);
    expect(new URL(page.url()).searchParams.get('error')).toBe('access_denied');
    await page.close();
  });
});
