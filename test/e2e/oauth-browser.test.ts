/**
 * Signing in with OAuth in a real browser: Debian's Chromium, driven by playwright-core, against `wrangler dev`,
 * as a hosted client's user would. A client registers, the browser opens /authorize, the person types an access
 * token and allows; the client's callback gets a code, which it exchanges (PKCE) for an access token that then
 * works on /mcp; the client then refreshes it with the MCP SDK's own refresh, and revokes it at the RFC 7009
 * endpoint the metadata advertises, after which /mcp refuses it. Checks what only a browser shows: the page's CSP
 * lets it render and post, its browser-bound cookie survives, and the redirect reaches the client. Deny sends
 * access_denied back.
 */
import { discoverOAuthServerInfo, refreshAuthorization } from '@modelcontextprotocol/client';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TOKENS } from '../helpers/tokens';
import { launchChromium } from './chromium';
import {
  exchangeCode,
  listTools as listToolsAt,
  type OAuthTestClient,
  startCallback,
  startSignIn,
} from './oauth-client';

const baseUrl = inject('baseUrl');

let browser: Browser;
let callback: OAuthTestClient;
let redirectUri: string;

beforeAll(async () => {
  callback = await startCallback();
  redirectUri = callback.redirectUri;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  callback?.close();
});

const listTools = (token: string) => listToolsAt(baseUrl, token);
const newSignIn = () =>
  startSignIn(baseUrl, redirectUri, 'Browser test client', { state: 'browser-state', refresh: true });

describe('OAuth sign-in in Chromium', () => {
  it('signs in with an access token, allows, and the client gets a token that works on /mcp, refreshes and revokes it', async () => {
    const start = await newSignIn();
    const clientId = start.clientId;
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));

    const opened = await page.goto(start.url);
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

    const issued = await exchangeCode(baseUrl, redirectUri, start, code!);
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
      refreshToken: issued.refresh_token!,
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
    const page = await browser.newPage();
    await page.goto((await newSignIn()).url);
    await Promise.all([page.waitForURL(`${redirectUri}?**`), page.click('button[value="deny"]')]);
    expect(new URL(page.url()).searchParams.get('error')).toBe('access_denied');
    await page.close();
  });
});
