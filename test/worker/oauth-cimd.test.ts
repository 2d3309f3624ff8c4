/**
 * Clients known by a Client ID Metadata Document: the client_id is an https URL, and the library fetches the
 * document there. The Worker may fetch only public hosts (global_fetch_strictly_public), so the documents are
 * served by a stand-in for outbound fetch: the Worker runs in the tests' isolate, where a spy on the global
 * fetch is what the library calls. A valid document signs in and names its domain; a bad one, or a redirect
 * URI it does not list, is refused on the page and never redirected to.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
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
  REDIRECT,
  submit,
} from '../helpers/oauth';

const HOST = 'tools.example.com';
const url = (name: string) => `https://${HOST}/oauth/${name}.json`;

/** Documents by URL; anything else the Worker fetches is recorded and answered 404. */
let documents: Map<string, string>;
let fetched: string[];

beforeEach(() => {
  documents = new Map();
  fetched = [];
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const target = new Request(input, init).url;
    fetched.push(target);
    const body = documents.get(target);
    if (body === undefined) return new Response('not found', { status: 404 });
    return new Response(body, { headers: { 'content-type': 'application/json' } });
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** A metadata document published at `clientId`; `overrides` break it. */
function publish(clientId: string, overrides: Record<string, unknown> = {}): void {
  const metadata = {
    client_id: clientId,
    client_name: 'Example Tools',
    redirect_uris: [REDIRECT],
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    ...overrides,
  };
  documents.set(clientId, JSON.stringify(metadata));
}

/** /authorize for a document's client, as the person's browser opens it; a refusal must not redirect. */
function authorize(clientId: string, challenge: string, extra: Record<string, string> = {}) {
  return request(authorizePath(clientId, challenge, { state: 'cimd', ...extra }), { token: null, redirect: 'manual' });
}

async function expectRefusedOnPage(response: Response, message: RegExp): Promise<void> {
  expect(response.status).toBe(400);
  expect(response.headers.get('location')).toBeNull();
  const page = await response.text();
  expect(page).toContain('Cannot sign in');
  expect(page).toMatch(message);
  expect(page).not.toContain('name="handle"');
}

describe('Client ID Metadata Documents', () => {
  it('are advertised in the authorization-server metadata', async () => {
    const metadata = await json<Record<string, unknown>>(
      await request('/.well-known/oauth-authorization-server', { token: null }),
    );
    expect(metadata.client_id_metadata_document_supported).toBe(true);
  });

  it('sign in a client by its document: the page names it and its domain, and its code exchanges', async () => {
    const clientId = url('valid');
    publish(clientId);
    const { verifier, challenge } = await pkce();
    const path = authorizePath(clientId, challenge, {
      state: 'cimd',
      scope: 'images:read images:write',
      resource: `${ORIGIN}/mcp`,
    });
    const consent = await openConsent(path);
    expect(fetched).toContain(clientId);
    expect(consent.html).toContain('Allow Example Tools');
    expect(consent.html).toContain(`Published by <strong>${HOST}</strong>`);
    expect(consent.html).not.toContain('registered itself');

    const allowed = await submit(path, consent.cookie, {
      handle: consent.handle,
      decision: 'allow',
      token: TOKENS.bob,
      write: '1',
    });
    const back = new URL(allowed.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get('state')).toBe('cimd');
    const exchanged = await exchangeCode(clientId, codeOf(allowed), verifier);
    expect(exchanged.status).toBe(200);
    const tokens = await json<IssuedTokens>(exchanged);
    expect((await listTools(tokens.access_token)).status).toBe(200);
    expect(fetched.every((target) => target === clientId)).toBe(true);
  });

  it('refuse a document that is not JSON, on the page', async () => {
    const clientId = url('malformed');
    documents.set(clientId, `{"client_id": "${clientId}`);
    const { challenge } = await pkce();
    await expectRefusedOnPage(await authorize(clientId, challenge), /could not be verified/);
    expect(fetched).toContain(clientId);
  });

  it('refuse a document whose client_id is not its own URL, on the page', async () => {
    const clientId = url('impostor');
    publish(clientId, { client_id: url('someone-else') });
    const { challenge } = await pkce();
    await expectRefusedOnPage(await authorize(clientId, challenge), /could not be verified/);
  });

  it('refuse a client whose document cannot be fetched, on the page', async () => {
    const { challenge } = await pkce();
    await expectRefusedOnPage(await authorize(url('missing'), challenge), /could not be verified/);
  });

  it('refuse a redirect URI the document does not list, on the page, without redirecting there', async () => {
    const clientId = url('listed');
    publish(clientId);
    const { challenge } = await pkce();
    const elsewhere = 'https://evil.example/callback';
    await expectRefusedOnPage(
      await authorize(clientId, challenge, { redirect_uri: elsewhere }),
      /Invalid redirect URI/,
    );
  });
});
