/**
 * Signing in through an OpenID Connect provider in a real browser (Debian's Chromium via playwright-core)
 * against its own `wrangler dev` with the OIDC_ settings, the provider being test/fakes/oidc.ts: the consent
 * page, Allow, the provider's sign-in form, back to /authorize/callback (its browser-bound cookie must survive
 * the round trip through another site), and on to the client with a code that works on /mcp. A person not on
 * the allow-list ends on a page saying so, and the client gets nothing.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OIDC_CLIENT, startOidcFake } from '../fakes/oidc';
import type { FakeServer } from '../fakes/server';
import { launchChromium } from './chromium';
import { exchangeCode, listTools, type OAuthTestClient, startCallback, startSignIn } from './oauth-client';
import { type DevServer, startDev } from './wrangler-dev';

let oidc: FakeServer;
let server: DevServer;
let browser: Browser;
let callback: OAuthTestClient;

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
  callback = await startCallback();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  callback?.close();
  await server?.stop();
  await oidc?.close();
});

const newSignIn = () => startSignIn(server.url, callback.redirectUri, 'OIDC browser client', { state: 'oidc-state' });

describe('OIDC sign-in in Chromium', () => {
  it('allows, signs in at the provider, and comes back to the client with a code that works on /mcp', async () => {
    const start = await newSignIn();
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    expect((await page.goto(start.url))?.status()).toBe(200);
    await expect.poll(() => page.locator('h1').textContent()).toContain('OIDC browser client');
    expect(await page.locator('input[name="token"]').count()).toBe(0);

    await Promise.all([page.waitForURL(`${oidc.url}/authorize?**`), page.click('button[value="allow"]')]);
    await page.fill('input[name="as"]', 'alice@example.com');
    await Promise.all([page.waitForURL(`${callback.redirectUri}?**`), page.click('button[type="submit"]')]);
    const back = new URL(page.url());
    expect(back.searchParams.get('state')).toBe('oidc-state');
    const code = back.searchParams.get('code');
    expect(code).toBeTruthy();
    expect(problems).toEqual([]);

    const { access_token, scope } = await exchangeCode(server.url, callback.redirectUri, start, code!);
    expect(scope.split(' ')).toContain('images:write');
    const listed = await listTools(server.url, access_token);
    expect(listed.status).toBe(200);
    await page.close();
  });

  it('shows a person outside the allow-list who they are, and sends the client nothing', async () => {
    const page = await browser.newPage();
    await page.goto((await newSignIn()).url);
    await Promise.all([page.waitForURL(`${oidc.url}/authorize?**`), page.click('button[value="allow"]')]);
    await page.fill('input[name="as"]', 'eve@example.com');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().startsWith(`${server.url}/authorize/callback`)),
      page.click('button[type="submit"]'),
    ]);
    expect(response.status()).toBe(403);
    expect(await page.locator('body').textContent()).toContain('eve@example.com');
    expect(page.url()).not.toContain(callback.redirectUri);
    await page.close();
  });
});
