/**
 * Fake of an OpenID Connect provider (as Google, Auth0 or Cloudflare Access answer, after OpenID Connect
 * Core 1.0 and Discovery 1.0): discovery at /.well-known/openid-configuration, an authorization endpoint, a
 * token endpoint that checks client authentication (client_secret_basic or _post), the redirect URI, the PKCE
 * verifier (S256) and single use of the code, and answers an RS256 ID token with iss, sub, aud, iat, exp,
 * nonce, email and email_verified; and its JWKS.
 *
 * Who signs in: the authorization endpoint answers a page with a sign-in form (for a browser), or, given
 * `as=<email>` (the form's field, or a test adding it to the URL), redirects back at once as that person;
 * `as=deny` redirects back with error=access_denied. `bad_nonce=1` puts a wrong nonce in the ID token.
 */
import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { type FakeReply, type FakeServer, startFake } from './server.ts';

export const OIDC_CLIENT = { id: 'imagegen-test-client', secret: 'oidc-client-secret-0123456789' };

/** The people the fake knows, by email. */
export const OIDC_PEOPLE: Record<string, { sub: string; email_verified?: boolean }> = {
  'alice@example.com': { sub: '1001', email_verified: true },
  'carol@example.com': { sub: '1003', email_verified: true },
  'eve@example.com': { sub: '1005', email_verified: true },
  // Listed by email, but the provider says the address is unverified: must not sign in by it.
  'mallory@example.com': { sub: '1006', email_verified: false },
  // No email_verified claim at all (some providers leave it out): the email counts.
  'dave@example.com': { sub: '1004' },
};

interface Issued {
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce: string | undefined;
  email: string;
  badNonce: boolean;
}

const base64url = (bytes: Buffer | string) => Buffer.from(bytes).toString('base64url');

function idToken(key: KeyObject, kid: string, claims: Record<string, unknown>): string {
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
  const payload = base64url(JSON.stringify(claims));
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), key);
  return `${header}.${payload}.${base64url(signature)}`;
}

function tokenError(error: string, description: string, status = 400): FakeReply {
  return { status, body: { error, error_description: description } };
}

/** The client's credentials from HTTP Basic (RFC 6749 §2.3.1, form-urlencoded parts) or the form body. */
function clientOf(authorization: string | undefined, form: URLSearchParams): { id?: string; secret?: string } {
  const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  if (basic) {
    const [id, secret] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
    return { id: decodeURIComponent(id ?? ''), secret: decodeURIComponent(secret ?? '') };
  }
  return { id: form.get('client_id') ?? undefined, secret: form.get('client_secret') ?? undefined };
}

export async function startOidcFake(): Promise<FakeServer> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = 'fake-key-1';
  const codes = new Map<string, Issued>();
  let issuer = '';
  let next = 0;

  const fake = await startFake('oidc', (request) => {
    const { path, query } = request;
    if (request.method === 'GET' && path === '/.well-known/openid-configuration') {
      return {
        body: {
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
          scopes_supported: ['openid', 'email'],
          token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
          code_challenge_methods_supported: ['S256'],
          claims_supported: ['sub', 'email', 'email_verified'],
        },
      };
    }
    if (request.method === 'GET' && path === '/jwks') {
      return { body: { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' }] } };
    }
    if (request.method === 'GET' && path === '/authorize') {
      const redirect = query.redirect_uri;
      if (query.client_id !== OIDC_CLIENT.id || !redirect) return { status: 400, body: 'unknown client' };
      if (query.response_type !== 'code' || query.code_challenge_method !== 'S256' || !query.code_challenge)
        return { status: 400, body: 'code flow with PKCE S256 only' };
      const back = new URL(redirect);
      if (query.state) back.searchParams.set('state', query.state);
      if (!query.as) {
        // The sign-in page: the form sends the same query back with the person's email as `as`.
        const hidden = Object.entries(query)
          .map(([k, v]) => `<input type="hidden" name="${k}" value="${v.replace(/"/g, '&quot;')}">`)
          .join('');
        return {
          headers: { 'content-type': 'text/html' },
          body: `<!doctype html><title>Fake OIDC sign-in</title><form method="get">${hidden}<input name="as" aria-label="Email"><button type="submit">Sign in</button></form>`,
        };
      }
      if (query.as === 'deny') {
        back.searchParams.set('error', 'access_denied');
        return { status: 302, headers: { location: back.toString() } };
      }
      if (!OIDC_PEOPLE[query.as]) return { status: 400, body: `no such person: ${query.as}` };
      const code = `code-${++next}-${Math.random().toString(36).slice(2)}`;
      codes.set(code, {
        clientId: query.client_id,
        redirectUri: redirect,
        challenge: query.code_challenge,
        nonce: query.nonce,
        email: query.as,
        badNonce: query.bad_nonce === '1',
      });
      back.searchParams.set('code', code);
      back.searchParams.set('iss', issuer);
      return { status: 302, headers: { location: back.toString() } };
    }
    if (request.method === 'POST' && path === '/token') {
      const form = new URLSearchParams(request.body);
      const client = clientOf(request.headers.authorization, form);
      if (client.id !== OIDC_CLIENT.id || client.secret !== OIDC_CLIENT.secret)
        return tokenError('invalid_client', 'client authentication failed', 401);
      if (form.get('grant_type') !== 'authorization_code') return tokenError('unsupported_grant_type', 'code only');
      const code = form.get('code') ?? '';
      const issued = codes.get(code);
      codes.delete(code);
      if (!issued || issued.clientId !== client.id) return tokenError('invalid_grant', 'unknown or used code');
      if (form.get('redirect_uri') !== issued.redirectUri) return tokenError('invalid_grant', 'redirect_uri differs');
      const verifier = form.get('code_verifier') ?? '';
      if (base64url(createHash('sha256').update(verifier).digest()) !== issued.challenge)
        return tokenError('invalid_grant', 'PKCE verification failed');
      const person = OIDC_PEOPLE[issued.email]!;
      const now = Math.floor(Date.now() / 1000);
      const claims = {
        iss: issuer,
        sub: person.sub,
        aud: issued.clientId,
        iat: now,
        exp: now + 3600,
        ...(issued.nonce && { nonce: issued.badNonce ? 'not-the-nonce' : issued.nonce }),
        email: issued.email,
        ...(person.email_verified !== undefined && { email_verified: person.email_verified }),
      };
      return {
        headers: { 'cache-control': 'no-store' },
        body: {
          access_token: `at-${code}`,
          token_type: 'Bearer',
          expires_in: 3600,
          scope: 'openid email',
          id_token: idToken(privateKey, kid, claims),
        },
      };
    }
    return undefined;
  });
  issuer = fake.url;
  return fake;
}
