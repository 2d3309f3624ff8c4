/**
 * OAuth for clients that sign in: discovery (RFC 9728 and RFC 8414 metadata, the 401 challenge), dynamic
 * client registration, the authorization code flow with PKCE through the sign-in and consent page (an access
 * token the server knows signs in; the grant is that token's subject), the token endpoint, and the access
 * token on /mcp. Static bearer tokens keep working beside it. What is refused, and refresh and revocation, are in
 * oauth-negative.test.ts; clients known by a metadata document (CIMD) in oauth-cimd.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ORIGIN, request, rpc, TOKENS } from '../helpers/mcp';
import {
  authorizePath,
  exchangeCode,
  json,
  openConsent,
  pkce,
  REDIRECT,
  registerClient,
  submit,
} from '../helpers/oauth';

describe('OAuth discovery', () => {
  it('answers an unauthenticated call with a challenge naming the protected-resource metadata', async () => {
    const response = await request('/mcp', {
      method: 'POST',
      token: null,
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(response.status).toBe(401);
    const challenge = response.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer /);
    expect(challenge).toContain(`resource_metadata="${ORIGIN}/.well-known/oauth-protected-resource/mcp"`);

    // A browser client (MCP Inspector's page) can read the challenge.
    const fromPage = (origin: string) =>
      request('/mcp', {
        method: 'POST',
        token: null,
        headers: { origin, 'content-type': 'application/json' },
        body: '{}',
      });
    const inspector = await fromPage('http://localhost:6274');
    expect(inspector.headers.get('access-control-allow-origin')).toBe('http://localhost:6274');
    expect(inspector.headers.get('access-control-expose-headers')).toContain('WWW-Authenticate');
    // Another origin still gets nothing but the challenge: with a valid token, the app refuses it (403).
    const evil = await request('/mcp', {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(evil.status).toBe(403);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/Missing bearer token/);

    const resource = await json<{ resource: string; authorization_servers: string[]; scopes_supported: string[] }>(
      await request('/.well-known/oauth-protected-resource/mcp', { token: null }),
    );
    expect(resource).toMatchObject({ resource: `${ORIGIN}/mcp`, authorization_servers: [ORIGIN] });
    expect(resource.scopes_supported).toEqual(expect.arrayContaining(['images:read', 'images:write']));

    const server = await json<Record<string, unknown>>(
      await request('/.well-known/oauth-authorization-server', { token: null }),
    );
    expect(server).toMatchObject({
      issuer: ORIGIN,
      authorization_endpoint: `${ORIGIN}/authorize`,
      token_endpoint: `${ORIGIN}/oauth/token`,
      registration_endpoint: `${ORIGIN}/oauth/register`,
      revocation_endpoint: `${ORIGIN}/oauth/token`,
      code_challenge_methods_supported: ['S256'],
    });
  });

  it('refuses a token it did not issue with invalid_token, and still takes the configured ones', async () => {
    const response = await request('/mcp', {
      method: 'POST',
      token: 'not-a-token-of-this-server',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect((await rpc('tools/list', {}, { token: TOKENS.alice })).result?.tools).toBeDefined();
  });
});

describe('OAuth sign-in', () => {
  it('signs in with a known access token, and the access token it issues reaches that subject on /mcp', async () => {
    const clientId = await registerClient();
    const { verifier, challenge } = await pkce();
    const path = authorizePath(clientId, challenge, {
      state: 'xyz',
      scope: 'images:read images:write',
      resource: `${ORIGIN}/mcp`,
    });
    const consent = await openConsent(path);
    expect(consent.html).toContain('Allow Test client');
    expect(consent.html).toContain('localhost');
    expect(consent.page.headers.get('x-frame-options')).toBe('DENY');
    expect(consent.page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");

    // A token the server does not know: the page again, nothing issued.
    const wrong = await submit(path, consent.cookie, { handle: consent.handle, decision: 'allow', token: 'nope' });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('not one this server knows');

    const again = await openConsent(path);
    const allowed = await submit(path, again.cookie, {
      handle: again.handle,
      decision: 'allow',
      token: TOKENS.bob,
      write: '1',
    });
    expect(allowed.status).toBe(302);
    const back = new URL(allowed.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get('state')).toBe('xyz');
    expect(back.searchParams.get('iss')).toBe(ORIGIN);
    const code = back.searchParams.get('code')!;

    const exchange = () => exchangeCode(clientId, code, verifier);
    const tokens = await json<{ access_token: string; token_type: string; scope: string }>(await exchange());
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.scope.split(' ')).toEqual(expect.arrayContaining(['images:read', 'images:write']));

    // The grant is bob's: his jobs are found, alice's are not.
    const jobOf = async (token: string) => {
      const args = { prompt: 'whose', provider: 'placeholder', width: 64, height: 64 };
      const made = await rpc('tools/call', { name: 'generate_image', arguments: args }, { token });
      return (made.result!.structuredContent as { job_id: string }).job_id;
    };
    const status = (id: string) =>
      rpc('tools/call', { name: 'get_job_status', arguments: { job_id: id } }, { token: tokens.access_token });
    expect((await status(await jobOf(TOKENS.bob))).result?.isError).toBeFalsy();
    expect((await status(await jobOf(TOKENS.alice))).result?.isError).toBe(true);
    // A code works once.
    const replay = await exchange();
    expect(replay.status).toBe(400);
  });

  it('grants reading only when the person unticks changing, and then answers a writing call with step-up', async () => {
    const clientId = await registerClient();
    const { verifier, challenge } = await pkce();
    const path = authorizePath(clientId, challenge, { scope: 'images:read images:write', resource: `${ORIGIN}/mcp` });
    const consent = await openConsent(path);
    expect(consent.html).toMatch(/name="write" value="1" checked/);
    // No "write" field: the box was unticked.
    const allowed = await submit(path, consent.cookie, {
      handle: consent.handle,
      decision: 'allow',
      token: TOKENS.bob,
    });
    const code = new URL(allowed.headers.get('location')!).searchParams.get('code')!;
    const tokens = await json<{ access_token: string; scope: string }>(await exchangeCode(clientId, code, verifier));
    expect(tokens.scope).toBe('images:read');
    const token = tokens.access_token;
    expect((await rpc('tools/list', {}, { token })).result?.tools).toBeDefined();
    const listed = await rpc('tools/call', { name: 'list_generations', arguments: {} }, { token });
    expect(listed.result?.isError).toBeFalsy();

    const write = await request('/mcp', {
      method: 'POST',
      token,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'generate_image', arguments: { prompt: 'x', provider: 'placeholder' } },
      }),
    });
    expect(write.status).toBe(403);
    const challenge403 = write.headers.get('www-authenticate') ?? '';
    expect(challenge403).toContain('error="insufficient_scope"');
    expect(challenge403).toContain('scope="images:read images:write"');
    expect(challenge403).toContain(`resource_metadata="${ORIGIN}/.well-known/oauth-protected-resource/mcp"`);
  });

  it('sends a refusal back to the client as access_denied', async () => {
    const clientId = await registerClient();
    const { challenge } = await pkce();
    const path = authorizePath(clientId, challenge, { state: 'no' });
    const consent = await openConsent(path);
    const denied = await submit(path, consent.cookie, { handle: consent.handle, decision: 'deny' });
    expect(denied.status).toBe(302);
    const back = new URL(denied.headers.get('location')!);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe('no');
  });

  it('shows an invalid request on the page rather than redirecting to an unchecked address', async () => {
    const response = await request(
      `/authorize?${new URLSearchParams({ response_type: 'code', client_id: 'unknown', redirect_uri: 'https://evil.example/cb' })}`,
      { token: null, redirect: 'manual' },
    );
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });
});
