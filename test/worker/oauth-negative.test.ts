/**
 * What OAuth refuses, each on its own: an unregistered redirect URI, a PKCE verifier that does not match, an
 * expired code, an expired access token, a token issued for another resource, a revoked token, a consent form forged without this
 * browser's cookie, and guessing access tokens on the sign-in page. And refresh tokens rotate: a refresh
 * issues a new one, and once that is used the one before it stops working. (A replayed code, Deny, and step-up
 * for a read-only grant are in oauth.test.ts.)
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { RATE_LIMIT } from '../../src/config';
import { signInKey } from '../../src/oauth/authorize-route';
import { fetchWith } from '../helpers/app';
import { ORIGIN, request, TOKENS } from '../helpers/mcp';
import {
  authorizePath,
  codeOf,
  exchangeCode,
  type IssuedTokens,
  json,
  listTools,
  openConsent,
  pkce,
  refresh,
  registerClient,
  revoke,
  signIn,
  submit,
} from '../helpers/oauth';
import { freshWindow } from '../helpers/rate-limit';

/** A person allowed the client as bob: the code, and what the client needs to exchange it. */
async function allowedCode() {
  const clientId = await registerClient();
  const { verifier, challenge } = await pkce();
  const path = authorizePath(clientId, challenge);
  const consent = await openConsent(path);
  const allowed = await submit(path, consent.cookie, { handle: consent.handle, decision: 'allow', token: TOKENS.bob });
  return { clientId, verifier, code: codeOf(allowed) };
}

/** The OAuth error of a refused token request, with nothing issued in it. */
async function refusal(response: Response): Promise<string> {
  expect(response.status).toBe(400);
  const body = await json<{ error: string; access_token?: string }>(response);
  expect(body.access_token).toBeUndefined();
  return body.error;
}

/** The grants this client holds, by their keys in OAUTH_KV (each key's metadata names its client). */
async function grantsOf(clientId: string): Promise<string[]> {
  const listed = await env.OAUTH_KV.list<{ clientId?: string }>({ prefix: 'grant:' });
  return listed.keys.filter((key) => key.metadata?.clientId === clientId).map((key) => key.name);
}

function expectInvalidToken(response: Response): void {
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
}

describe('the authorization request', () => {
  it('refuses a redirect URI the client did not register, on the page, without redirecting there', async () => {
    const clientId = await registerClient();
    const { challenge } = await pkce();
    const path = authorizePath(clientId, challenge, { redirect_uri: 'https://evil.example/callback', state: 's' });
    const response = await request(path, { token: null, redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    const page = await response.text();
    expect(page).toContain('Cannot sign in');
    expect(page).toMatch(/Invalid redirect URI/);
    expect(page).not.toContain('name="handle"');
  });

  it('takes PKCE with S256 only: plain, or no challenge at all, gets no code', async () => {
    const clientId = await registerClient();
    const { verifier } = await pkce();
    const variants: Record<string, string>[] = [
      { code_challenge_method: 'plain', code_challenge: verifier },
      { code_challenge: '' },
    ];
    for (const extra of variants) {
      const path = `${authorizePath(clientId, verifier, { state: 's' })}`.replace(
        /code_challenge=[^&]*&code_challenge_method=S256/,
        new URLSearchParams(extra).toString(),
      );
      const response = await request(path, { token: null, redirect: 'manual' });
      const location = response.headers.get('location');
      // Refused on the page, or sent back to the client with an error: never a consent form, never a code.
      if (location) expect(new URL(location).searchParams.get('error')).toBe('invalid_request');
      else expect(response.status).toBe(400);
      expect(await response.text()).not.toContain('name="handle"');
    }
  });
});

describe('the token endpoint', () => {
  it('refuses a code with a PKCE verifier that does not match its challenge', async () => {
    const { clientId, code } = await allowedCode();
    const other = await pkce();
    expect(await refusal(await exchangeCode(clientId, code, other.verifier))).toBe('invalid_grant');
  });

  it('refuses a code exchanged for a redirect URI other than the one it was issued to', async () => {
    const { clientId, code, verifier } = await allowedCode();
    const elsewhere = await exchangeCode(clientId, code, verifier, { redirect_uri: 'http://localhost:9876/other' });
    expect(await refusal(elsewhere)).toBe('invalid_grant');
  });

  it('lets a code live ten minutes, and refuses it once that has passed', async () => {
    const { clientId, code, verifier } = await allowedCode();
    // The code lives only in its grant's KV record, which the library writes to expire in 600 s: that TTL is
    // the whole of the code's lifetime (the exchange compares no clock), and KV's clock cannot be faked from
    // here, so the test reads the TTL and then makes the record gone, as KV does when it lapses.
    const [userId, grantId] = code.split(':');
    const key = `grant:${userId}:${grantId}`;
    const { keys } = await env.OAUTH_KV.list({ prefix: key });
    const now = Date.now() / 1000;
    expect(keys[0]?.expiration).toBeGreaterThan(now + 590);
    expect(keys[0]?.expiration).toBeLessThanOrEqual(now + 601);
    await env.OAUTH_KV.delete(key);
    expect(await refusal(await exchangeCode(clientId, code, verifier))).toBe('invalid_grant');
  });
});

describe('access tokens on the resources', () => {
  it('refuses an access token past its hour with invalid_token, and a refresh still renews it', async () => {
    const signedIn = await signIn(TOKENS.bob);
    expect((await listTools(signedIn.access_token)).status).toBe(200);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 3601_000);
      expectInvalidToken(await listTools(signedIn.access_token));
      const renewed = await refresh(signedIn.clientId, signedIn.refresh_token!);
      expect(renewed.status).toBe(200);
      expect((await listTools((await json<IssuedTokens>(renewed)).access_token)).status).toBe(200);
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses on /mcp a token issued for /sse, and on /sse one issued for /mcp', async () => {
    const forSse = await signIn(TOKENS.bob, `${ORIGIN}/sse`);
    expect((await listTools(forSse.access_token, '/sse')).status).toBe(200);
    expectInvalidToken(await listTools(forSse.access_token, '/mcp'));

    const forMcp = await signIn(TOKENS.bob, `${ORIGIN}/mcp`);
    expect((await listTools(forMcp.access_token, '/mcp')).status).toBe(200);
    expectInvalidToken(await listTools(forMcp.access_token, '/sse'));
  });

  it('refuses an access token once its client revoked it, and only its own client can', async () => {
    const signedIn = await signIn(TOKENS.bob);
    const token = signedIn.access_token;
    expect((await listTools(token)).status).toBe(200);

    // Another client's revocation is answered 200, as RFC 7009 asks, and changes nothing.
    const stranger = await registerClient('Stranger');
    expect((await revoke(stranger, token, 'access_token')).status).toBe(200);
    expect((await listTools(token)).status).toBe(200);

    expect((await revoke(signedIn.clientId, token, 'access_token')).status).toBe(200);
    expectInvalidToken(await listTools(token));
  });

  it('ends the whole grant when its refresh token is revoked', async () => {
    const signedIn = await signIn(TOKENS.bob);
    expect((await revoke(signedIn.clientId, signedIn.refresh_token!, 'refresh_token')).status).toBe(200);
    expectInvalidToken(await listTools(signedIn.access_token));
    expect(await refusal(await refresh(signedIn.clientId, signedIn.refresh_token!))).toBe('invalid_grant');
  });
});

describe('refresh tokens', () => {
  it('rotate: a refresh issues a new refresh token, and the one before stops working once the new one is used', async () => {
    const signedIn = await signIn(TOKENS.bob);
    const first = signedIn.refresh_token!;
    expect(first).toBeTruthy();

    const second = await json<IssuedTokens>(await refresh(signedIn.clientId, first));
    expect(second.refresh_token).toBeTruthy();
    expect(second.refresh_token).not.toBe(first);
    expect(second.access_token).not.toBe(signedIn.access_token);
    expect(second.scope.split(' ')).toEqual(expect.arrayContaining(['images:read', 'images:write']));
    expect((await listTools(second.access_token)).status).toBe(200);

    // The library keeps the previous token usable until the new one is used, so a client whose refresh
    // response was lost can retry; after that, it is refused.
    const third = await json<IssuedTokens>(await refresh(signedIn.clientId, second.refresh_token!));
    expect(third.refresh_token).not.toBe(second.refresh_token);
    expect(await refusal(await refresh(signedIn.clientId, first))).toBe('invalid_grant');
    expect((await listTools(third.access_token)).status).toBe(200);
  });
});

describe('the consent form', () => {
  /** One client's consent page opened in two browsers: each gets its own handle and cookie. */
  async function twoBrowsers() {
    const clientId = await registerClient();
    const { challenge } = await pkce();
    const path = authorizePath(clientId, challenge, { state: 'forged' });
    return { clientId, path, mine: await openConsent(path), theirs: await openConsent(path) };
  }

  it('refuses a valid handle posted without the cookie of the browser that opened the page', async () => {
    const { clientId, path, mine } = await twoBrowsers();
    const forged = await submit(path, '', { handle: mine.handle, decision: 'allow', token: TOKENS.bob, write: '1' });
    expect(forged.status).toBe(400);
    expect(forged.headers.get('location')).toBeNull();
    expect(await forged.text()).toContain('Cannot sign in');
    expect(await grantsOf(clientId)).toEqual([]);
  });

  it('refuses a handle posted with another browser’s cookie', async () => {
    const { clientId, path, mine, theirs } = await twoBrowsers();
    const forged = await submit(path, theirs.cookie, {
      handle: mine.handle,
      decision: 'allow',
      token: TOKENS.bob,
      write: '1',
    });
    expect(forged.status).toBe(400);
    expect(forged.headers.get('location')).toBeNull();
    expect(await grantsOf(clientId)).toEqual([]);
    // The page in its own browser still works: the grant comes from there.
    const allowed = await submit(path, mine.cookie, { handle: mine.handle, decision: 'allow', token: TOKENS.bob });
    codeOf(allowed);
    expect(await grantsOf(clientId)).toHaveLength(1);
  });
});

describe('guessing access tokens on the sign-in page', () => {
  it('counts an IPv6 caller’s tries by its /64, an IPv4 caller’s by its address', () => {
    const same = ['2001:db8:1:2::7', '2001:0db8:0001:0002:ffff:1:2:3', '2001:db8:1:2::', '2001:DB8:1:2:0:0:0:9'];
    expect(new Set(same.map(signInKey))).toEqual(new Set(['signin:2001:db8:1:2::/64']));
    expect(signInKey('2001:db8:1:3::7')).toBe('signin:2001:db8:1:3::/64');
    expect(signInKey('::1')).toBe('signin:0:0:0:0::/64');
    expect(signInKey('198.51.100.7')).toBe('signin:198.51.100.7');
  });

  it(`is refused after ${RATE_LIMIT.requests} wrong tokens a minute from one address, other addresses unaffected`, async () => {
    const clientId = await registerClient();
    const { challenge } = await pkce();
    const path = authorizePath(clientId, challenge);
    const consent = await openConsent(path);
    const guess = (address: string, token = 'tok-guess-0123456789abcdef') =>
      submit(
        path,
        consent.cookie,
        { handle: consent.handle, decision: 'allow', token },
        { 'cf-connecting-ip': address },
      );
    // An address no other test signs in from, so the window counts only these tries.
    const address = '198.51.100.7';
    await freshWindow();
    for (let i = 0; i < RATE_LIMIT.requests; i++) {
      const wrong = await guess(address);
      expect(wrong.status).toBe(401);
      await wrong.arrayBuffer();
    }
    const limited = await guess(address);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe(String(RATE_LIMIT.periodSeconds));
    expect(await limited.text()).toMatch(/Too many sign-in attempts/);
    expect((await guess('2001:db8::7')).status).toBe(401);
  });

  /** Sign-in tries from one address through a stand-in limiter that allows `allowed` tries, recording its keys. */
  async function fakeLimiter(allowed: number) {
    const keys: string[] = [];
    let left = allowed;
    const RATE_LIMITER = {
      limit: async ({ key }: { key: string }) => {
        keys.push(key);
        return { success: left-- > 0 };
      },
    };
    const clientId = await registerClient();
    const { challenge } = await pkce();
    const path = authorizePath(clientId, challenge);
    const consent = await openConsent(path);
    const post = (token: string) =>
      fetchWith(
        { RATE_LIMITER },
        new Request(`${ORIGIN}${path}`, {
          method: 'POST',
          redirect: 'manual',
          headers: {
            cookie: consent.cookie,
            'content-type': 'application/x-www-form-urlencoded',
            'cf-connecting-ip': '203.0.113.9',
          },
          body: new URLSearchParams({ handle: consent.handle, decision: 'allow', token }),
        }),
      );
    return { keys, post };
  }

  it('spends the limiter of the caller’s address on each wrong token, and answers 429 when it is spent', async () => {
    const { keys, post } = await fakeLimiter(2);
    expect((await post('tok-wrong-0123456789abcdef')).status).toBe(401);
    expect((await post('tok-wrong-0123456789abcdef')).status).toBe(401);
    const limited = await post('tok-wrong-0123456789abcdef');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(keys).toEqual(['signin:203.0.113.9', 'signin:203.0.113.9', 'signin:203.0.113.9']);
  });

  it('refuses every try from a limited address, the right token too, so a guess there learns nothing', async () => {
    const { post } = await fakeLimiter(0);
    expect((await post('tok-wrong-0123456789abcdef')).status).toBe(429);
    // Were the right token still let through, 302 against 429 would tell a guesser which guess was right,
    // and the limit would slow nobody down.
    const right = await post(TOKENS.bob);
    expect(right.status).toBe(429);
    expect(right.headers.get('location')).toBeNull();
  });
});
