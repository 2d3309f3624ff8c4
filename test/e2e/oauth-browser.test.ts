/**
 * Signing in with OAuth in a real browser: Debian's Chromium, driven by playwright-core, against `wrangler dev`,
 * as a hosted client's user would. A client registers, the browser opens /authorize, the person types an access
 * token and allows; the client's callback gets a code, which it exchanges (PKCE) for an access token that then
 * works on /mcp. Checks what only a browser shows: the page's CSP lets it render and post, its browser-bound
 * cookie survives, and the redirect reaches the client. Deny sends access_denied back.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
    scope: 'images:read images:write',
    resource: `${baseUrl}/mcp`,
  });
  return `${baseUrl}/authorize?${query}`;
}

describe('OAuth sign-in in Chromium', () => {
  it('signs in with an access token, allows, and the client gets a token that works on /mcp', async () => {
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
    const { access_token: accessToken } = (await tokenResponse.json()) as { access_token: string };
    const listed = await fetch(`${baseUrl}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${accessToken}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(listed.status).toBe(200);
    await page.close();
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
