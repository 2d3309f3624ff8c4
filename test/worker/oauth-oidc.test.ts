/**
 * Signing in through an upstream OpenID Connect provider (OIDC_ISSUER, against test/fakes/oidc.ts): consent
 * first, then the provider, then the callback; the allow-list maps the person (by `sub`, or by an email the
 * provider does not call unverified) to a subject, and SUBJECT_SCOPES narrows what that subject may do.
 * Nobody outside the list gets a code. Also SUBJECT_SCOPES for the static bearer tokens.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, inject, it } from 'vitest';
import { OIDC_CLIENT } from '../fakes/oidc';
import { fetchWith, toolCall, workerFetchWith } from '../helpers/app';
import { ORIGIN } from '../helpers/mcp';
import {
  authorizePath,
  exchangeCode,
  pkce,
  REDIRECT,
  refresh,
  registerClient,
  signIn as signInWithToken,
} from '../helpers/oauth';
import { TOKENS } from '../helpers/tokens';

const issuer = inject('oidcIssuer');

const OIDC = {
  OIDC_ISSUER: issuer,
  OIDC_CLIENT_ID: OIDC_CLIENT.id,
  OIDC_CLIENT_SECRET: OIDC_CLIENT.secret,
  OIDC_ALLOW: JSON.stringify({
    'Alice@Example.com': 'alice',
    '1003': 'carol',
    'mallory@example.com': 'mallory',
    'dave@example.com': 'dave',
  }),
  SUBJECT_SCOPES: JSON.stringify({ carol: 'images:read' }),
};

function call(path: string, init: RequestInit = {}, settings: Record<string, unknown> = OIDC): Promise<Response> {
  return workerFetchWith(settings, new Request(`${ORIGIN}${path}`, { redirect: 'manual', ...init }));
}

/** A browser's cookie jar, as far as this flow needs one: every Set-Cookie kept by name. */
class Jar {
  private readonly cookies = new Map<string, string>();
  take(response: Response): Response {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    return response;
  }
  get header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

async function newClient() {
  const clientId = await registerClient('OIDC test client');
  const { verifier, challenge } = await pkce();
  const path = authorizePath(clientId, challenge, {
    state: 'client-state',
    scope: 'images:read images:write',
    resource: `${ORIGIN}/mcp`,
  });
  return { clientId, verifier, path };
}

/** Consent (Allow, changing ticked), then the provider's redirect as `as`; the callback's answer and the jar. */
async function signIn(as: string, extra: Record<string, string> = {}, settings: Record<string, unknown> = OIDC) {
  const client = await newClient();
  const jar = new Jar();
  const page = jar.take(await call(client.path, {}, settings));
  expect(page.status).toBe(200);
  const html = await page.text();
  const handle = /name="handle" value="([^"]+)"/.exec(html)![1]!;
  const allowed = jar.take(
    await call(
      client.path,
      {
        method: 'POST',
        headers: { cookie: jar.header, 'content-type': 'application/x-www-form-urlencoded', origin: 'null' },
        body: new URLSearchParams({ handle, decision: 'allow', write: '1' }).toString(),
      },
      settings,
    ),
  );
  expect(allowed.status).toBe(302);
  const upstream = new URL(allowed.headers.get('location')!);
  const atProvider = new URL(upstream);
  atProvider.search = new URLSearchParams({ ...Object.fromEntries(upstream.searchParams), as, ...extra }).toString();
  const provider = await fetch(atProvider, { redirect: 'manual' });
  expect(provider.status).toBe(302);
  const callback = new URL(provider.headers.get('location')!);
  expect(`${callback.origin}${callback.pathname}`).toBe(`${ORIGIN}/authorize/callback`);
  const back = jar.take(
    await call(`${callback.pathname}${callback.search}`, { headers: { cookie: jar.header } }, settings),
  );
  return { client, html, upstream, callback, back, jar };
}

/** The code exchanged under the same settings it was issued with (the credential is checked there too). */
async function exchange(clientId: string, code: string, verifier: string, settings: Record<string, unknown> = OIDC) {
  const response = await exchangeCode(clientId, code, verifier, {}, (path, init) => call(path, init, settings));
  expect(response.status).toBe(200);
  return (await response.json()) as { access_token: string; scope: string };
}

async function tool(
  token: string,
  name: string,
  args: Record<string, unknown>,
  settings: Record<string, unknown> = OIDC,
) {
  const response = await workerFetchWith(settings, toolCall(name, args, { token }));
  return { status: response.status, headers: response.headers, body: await response.text() };
}

describe('OIDC sign-in', () => {
  it('asks consent first, then signs in at the provider with PKCE and a nonce, and issues a code for the listed subject', async () => {
    const { client, html, upstream, back } = await signIn('alice@example.com');
    // The page offers the provider instead of a token field.
    expect(html).toContain(`sign in with ${new URL(issuer).host}`);
    expect(html).not.toContain('name="token"');
    // What the provider was asked for.
    expect(`${upstream.origin}${upstream.pathname}`).toBe(`${issuer}/authorize`);
    expect(upstream.searchParams.get('client_id')).toBe(OIDC_CLIENT.id);
    expect(upstream.searchParams.get('redirect_uri')).toBe(`${ORIGIN}/authorize/callback`);
    expect(upstream.searchParams.get('scope')).toBe('openid email');
    expect(upstream.searchParams.get('code_challenge_method')).toBe('S256');
    expect(upstream.searchParams.get('nonce')).toBeTruthy();
    expect(upstream.searchParams.get('state')).toBeTruthy();

    expect(back.status).toBe(302);
    const toClient = new URL(back.headers.get('location')!);
    expect(`${toClient.origin}${toClient.pathname}`).toBe(REDIRECT);
    expect(toClient.searchParams.get('state')).toBe('client-state');
    const tokens = await exchange(client.clientId, toClient.searchParams.get('code')!, client.verifier);
    expect(tokens.scope.split(' ').sort()).toEqual(['images:read', 'images:write']);

    // The grant is alice's (the email matched without regard to case): her jobs are found, bob's are not.
    const jobOf = async (token: string) => {
      const made = await tool(token, 'generate_image', { prompt: 'whose', provider: 'placeholder', width: 64 });
      return (JSON.parse(made.body) as { result: { structuredContent: { job_id: string } } }).result.structuredContent
        .job_id;
    };
    const status = async (id: string) =>
      JSON.parse((await tool(tokens.access_token, 'get_job_status', { job_id: id })).body) as {
        result: { isError?: boolean };
      };
    expect((await status(await jobOf(TOKENS.alice))).result.isError).toBeFalsy();
    expect((await status(await jobOf(TOKENS.bob))).result.isError).toBe(true);
    // The same token trades for alice's gallery link (the route takes /mcp's tokens).
    const link = await call('/gallery/link', {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(link.status).toBe(200);
    expect(((await link.json()) as { url: string }).url).toMatch(/\/gallery\?s=alice&/);
  });

  it('matches a listed sub, and narrows the grant to the subject’s SUBJECT_SCOPES whatever was ticked', async () => {
    const { client, back } = await signIn('carol@example.com');
    expect(back.status).toBe(302);
    const code = new URL(back.headers.get('location')!).searchParams.get('code')!;
    const tokens = await exchange(client.clientId, code, client.verifier);
    expect(tokens.scope).toBe('images:read');
    const listed = await tool(tokens.access_token, 'list_generations', {});
    expect(listed.status).toBe(200);
    const write = await tool(tokens.access_token, 'generate_image', { prompt: 'x', provider: 'placeholder' });
    expect(write.status).toBe(403);
    expect(write.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });

  it('takes an email only when the provider says it verified it, or with OIDC_TRUST_EMAIL when it says nothing', async () => {
    // dave's provider says nothing about his address; mallory's says it is unverified.
    expect((await signIn('dave@example.com')).back.status).toBe(403);
    const mallory = await signIn('mallory@example.com');
    expect(mallory.back.status).toBe(403);
    expect(mallory.back.headers.get('location')).toBeNull();
    const trusting = { ...OIDC, OIDC_TRUST_EMAIL: 'true' };
    expect((await signIn('dave@example.com', {}, trusting)).back.status).toBe(302);
    expect((await signIn('mallory@example.com', {}, trusting)).back.status).toBe(403);
  });

  it('refuses a person who is not on the allow-list, saying who they signed in as, and issues nothing', async () => {
    const { back } = await signIn('eve@example.com');
    expect(back.status).toBe(403);
    expect(back.headers.get('location')).toBeNull();
    const page = await back.text();
    expect(page).toContain('eve@example.com');
    expect(page).toContain('OIDC_ALLOW');
  });

  it('answers the client access_denied when the person refuses at the provider', async () => {
    const { back } = await signIn('deny');
    expect(back.status).toBe(302);
    const toClient = new URL(back.headers.get('location')!);
    expect(toClient.searchParams.get('error')).toBe('access_denied');
    expect(toClient.searchParams.get('state')).toBe('client-state');
    expect(toClient.searchParams.get('code')).toBeNull();
  });

  it('refuses an ID token whose nonce is not the one sent', async () => {
    const { back } = await signIn('alice@example.com', { bad_nonce: '1' });
    expect(back.status).toBe(502);
    expect(back.headers.get('location')).toBeNull();
    expect(await back.text()).toMatch(/Signing in with .* failed/);
  });

  it('refuses a callback in another browser (no binding cookie), and a callback used twice', async () => {
    const client = await newClient();
    const jar = new Jar();
    const page = jar.take(await call(client.path));
    const handle = /name="handle" value="([^"]+)"/.exec(await page.text())![1]!;
    const allowed = jar.take(
      await call(client.path, {
        method: 'POST',
        headers: { cookie: jar.header, 'content-type': 'application/x-www-form-urlencoded', origin: 'null' },
        body: new URLSearchParams({ handle, decision: 'allow' }).toString(),
      }),
    );
    const upstream = new URL(allowed.headers.get('location')!);
    upstream.searchParams.set('as', 'alice@example.com');
    const callback = new URL((await fetch(upstream, { redirect: 'manual' })).headers.get('location')!);
    const path = `${callback.pathname}${callback.search}`;
    const elsewhere = await call(path);
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.headers.get('location')).toBeNull();
    const first = await call(path, { headers: { cookie: jar.header } });
    expect(first.status).toBe(302);
    const again = await call(path, { headers: { cookie: jar.header } });
    expect(again.status).toBe(400);
  });
});

describe('OIDC settings', () => {
  it('are refused when incomplete or when the issuer is not https, naming the settings', async () => {
    const health = async (settings: Record<string, unknown>) => {
      const response = await fetchWith(settings, new Request(`${ORIGIN}/health`));
      return { status: response.status, body: (await response.json()) as { invalid_settings?: string[] } };
    };
    const partial = await health({ OIDC_ISSUER: issuer, OIDC_CLIENT_ID: OIDC_CLIENT.id });
    expect(partial.status).toBe(503);
    expect(partial.body.invalid_settings?.sort()).toEqual(['OIDC_ALLOW', 'OIDC_CLIENT_SECRET']);
    const plain = await health({ ...OIDC, OIDC_ISSUER: 'http://idp.example.com' });
    expect(plain.body.invalid_settings).toEqual(['OIDC_ISSUER']);
    const scopes = await health({ SUBJECT_SCOPES: JSON.stringify({ bob: 'images:write' }) });
    expect(scopes.body.invalid_settings).toEqual(['SUBJECT_SCOPES']);
    expect((await health(OIDC)).status).toBe(200);
  });
});

describe('SUBJECT_SCOPES for static bearer tokens', () => {
  it('lets a read-only subject read and refuses it every writing tool', async () => {
    const settings = { SUBJECT_SCOPES: JSON.stringify({ bob: 'images:read' }) };
    const bob = (name: string, args: Record<string, unknown>) =>
      fetchWith(settings, toolCall(name, args, { token: TOKENS.bob }));
    const listed = await bob('list_generations', {});
    expect(listed.status).toBe(200);
    const refused = await bob('generate_image', { prompt: 'x', provider: 'placeholder' });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toMatch(/images:write/);
    // alice is not listed: she may do everything.
    const alice = await fetchWith(settings, toolCall('generate_image', { prompt: 'x', provider: 'placeholder' }));
    expect(alice.status).toBe(200);
  });
});

describe('a credential taken away', () => {
  const codeFrom = (back: Response) => new URL(back.headers.get('location')!).searchParams.get('code')!;
  const refreshWith = (settings: Record<string, unknown>, clientId: string, refreshToken: string) =>
    refresh(clientId, refreshToken, (path, init) => call(path, init, settings));

  it('ends only the grants its OIDC_ALLOW entry made, though others still sign its subject in', async () => {
    const team = { ...OIDC, OIDC_ALLOW: JSON.stringify({ 'alice@example.com': 'team', '1003': 'team' }) };
    const alice = await signIn('alice@example.com', {}, team);
    const carol = await signIn('carol@example.com', {}, team);
    const aliceTokens = await exchange(alice.client.clientId, codeFrom(alice.back), alice.client.verifier, team);
    const carolTokens = await exchange(carol.client.clientId, codeFrom(carol.back), carol.client.verifier, team);
    const withoutAlice = { ...team, OIDC_ALLOW: JSON.stringify({ '1003': 'team' }) };
    const refused = await tool(aliceTokens.access_token, 'list_generations', {}, withoutAlice);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect((await tool(carolTokens.access_token, 'list_generations', {}, withoutAlice)).status).toBe(200);
    const link = await call(
      '/gallery/link',
      { method: 'POST', headers: { authorization: `Bearer ${aliceTokens.access_token}` } },
      withoutAlice,
    );
    expect(link.status).toBe(401);
  });

  it('ends the grants signed in with a rotated access token, and their refresh, while its subject stays', async () => {
    const tokens = JSON.parse(env.AUTH_TOKENS as string) as Record<string, string>;
    const signedIn = await signInWithToken(TOKENS.bob);
    const rotated = { AUTH_TOKENS: JSON.stringify({ ...tokens, bob: 'tok-bob-rotated-0123456789abcdef' }) };
    expect((await tool(signedIn.access_token, 'list_generations', {}, {})).status).toBe(200);
    const refused = await tool(signedIn.access_token, 'list_generations', {}, rotated);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const refresh = await refreshWith(rotated, signedIn.clientId, signedIn.refresh_token!);
    expect(refresh.status).toBe(400);
    expect(((await refresh.json()) as { error: string }).error).toBe('invalid_grant');
    // The new token signs bob in as before.
    expect((await tool('tok-bob-rotated-0123456789abcdef', 'list_generations', {}, rotated)).status).toBe(200);
  });
});
