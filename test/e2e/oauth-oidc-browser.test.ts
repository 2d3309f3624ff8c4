/**
 * Signing in through an OpenID Connect provider in a real browser (Debian's Chromium via playwright-core)
 * against its own `wrangler dev` with the OIDC_ settings, the provider being test/fakes/oidc.ts: the consent
 * page, Allow, the provider's sign-in form, back to /authorize/callback (its browser-bound cookie must survive
 * the round trip through another site), and on to the client with a code that works on /mcp. A person not on
 * the allow-list ends on a page saying so, and the client gets nothing.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OIDC_CLIENT, startOidcFake } from '../fakes/oidc';
import type { FakeServer } from '../fakes/server';
import { launchChromium } from './chromium';
import { type DevServer, startDev } from './wrangler-dev';

let oidc: FakeServer;
let server: DevServer;
let browser: Browser;
let callback: Server;
let redirectUri: string;

beforeAll(async () => {
  oidc = await startOidcFake();
  server = await startDev({
    vars: {
      OIDC_ISSUER: oidc.url,
      OIDC_CLIENT_ID: OIDC_CLIENT.id,
      OIDC_CLIENT_SECRET: OIDC_CLIENT.secret,
      OIDC_ALLOW: JSON.stringify({ 'alice@example.com': 'alice' }),
    },
  });
  callback = createServer((_, res) => res.end('signed in'));
  await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
  redirectUri = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  callback?.close();
  await server?.stop();
  await oidc?.close();
});

const base64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

/** A registered client's /authorize URL, and what it needs to exchange the code. */
async function startSignIn() {
  const registered = await fetch(`${server.url}/oauth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: 'OIDC browser client',
      redirect_uris: [redirectUri],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
    }),
  });
  expect(registered.status).toBe(201);
  const { client_id } = (await registered.json()) as { client_id: string };
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', Buffer.from(verifier))));
  const url = `${server.url}/authorize?${new URLSearchParams({
    response_type: 'code',
    client_id,
    redirect_uri: redirectUri,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'oidc-state',
    scope: 'images:read images:write',
    resource: `${server.url}/mcp`,
  })}`;
  return { clientId: client_id, verifier, url };
}

describe('OIDC sign-in in Chromium', () => {
  it('allows, signs in at the provider, and comes back to the client with a code that works on /mcp', async () => {
    const { clientId, verifier, url } = await startSignIn();
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    expect((await page.goto(url))?.status()).toBe(200);
    await expect.poll(() => page.locator('h1').textContent()).toContain('OIDC browser client');
    expect(await page.locator('input[name="token"]').count()).toBe(0);

    await Promise.all([page.waitForURL(`${oidc.url}/authorize?**`), page.click('button[value="allow"]')]);
    await page.fill('input[name="as"]', 'alice@example.com');
    await Promise.all([page.waitForURL(`${redirectUri}?**`), page.click('button[type="submit"]')]);
    const back = new URL(page.url());
    expect(back.searchParams.get('state')).toBe('oidc-state');
    const code = back.searchParams.get('code');
    expect(code).toBeTruthy();
    expect(problems).toEqual([]);

    const exchanged = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: code!,
        redirect_uri: redirectUri,
        client_id: clientId,
        code_verifier: verifier,
        resource: `${server.url}/mcp`,
      }),
    });
    expect(exchanged.status).toBe(200);
    const { access_token, scope } = (await exchanged.json()) as { access_token: string; scope: string };
    expect(scope.split(' ')).toContain('images:write');
    const listed = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${access_token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(listed.status).toBe(200);
    await page.close();
  });

  it('shows a person outside the allow-list who they are, and sends the client nothing', async () => {
    const { url } = await startSignIn();
    const page = await browser.newPage();
    await page.goto(url);
    await Promise.all([page.waitForURL(`${oidc.url}/authorize?**`), page.click('button[value="allow"]')]);
    await page.fill('input[name="as"]', 'eve@example.com');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().startsWith(`${server.url}/authorize/callback`)),
      page.click('button[type="submit"]'),
    ]);
    expect(response.status()).toBe(403);
    expect(await page.locator('body').textContent()).toContain('eve@example.com');
    expect(page.url()).not.toContain(redirectUri);
    await page.close();
  });
});
