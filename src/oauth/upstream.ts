/**
 * Sign-in through an upstream OpenID Connect provider (OIDC_ISSUER: Google, Cloudflare Access, Auth0, Okta,
 * any issuer with discovery). This Worker is that provider's confidential client: authorization code flow
 * with PKCE (S256) and a nonce, through oauth4webapi (panva's OAuth 2 / OIDC client for web runtimes), which
 * does discovery, the code exchange and the ID token's claim checks (iss, aud, azp, exp, iat, nonce).
 * The ID token comes straight from the provider's token endpoint over TLS, which OpenID Connect Core 1.0
 * §3.1.3.7 (item 6) accepts in place of checking its signature; oauth4webapi validates it that way too.
 *
 * Who the person is: the ID token's `sub`, and its `email` when the provider says it verified it
 * (`email_verified: true`; with OIDC_TRUST_EMAIL, also when it says nothing, for providers such as Cloudflare
 * Access that only hand out verified addresses). An address a provider lets people set without checking (the
 * "nOAuth" takeover) must not sign anyone in. OIDC_ALLOW maps either to a subject; anyone else is refused.
 */
import * as oauth from 'oauth4webapi';
import type { OidcSettings } from '../config';
import { AppError } from '../errors';
import { log } from '../log';

/** Where the provider sends the person back: registered as the redirect URI of the OAuth app there. */
export const CALLBACK_PATH = '/authorize/callback';

/** What the provider is asked for: an ID token with the person's email (`sub` comes with `openid`). */
const SCOPES = 'openid email';

/** Kept between the redirect to the provider and its callback (encrypted in KV by the OAuth library). */
export interface UpstreamState {
  verifier: string;
  nonce: string;
}

export interface UpstreamIdentity {
  sub: string;
  email?: string | undefined;
}

/** The provider's metadata, fetched once per isolate and issuer, again after an hour or a failure. */
const METADATA_TTL_MS = 60 * 60_000;
const discovered = new Map<string, { server: Promise<oauth.AuthorizationServer>; at: number }>();

/** Plain http is allowed only for a provider on this machine (config.ts refuses it for any other host). */
function requestOptions(settings: OidcSettings) {
  return { [oauth.allowInsecureRequests]: new URL(settings.issuer).protocol === 'http:' };
}

function upstreamFailure(settings: OidcSettings, error: unknown): AppError {
  const detail = error instanceof Error ? error.message : String(error);
  log.warn('upstream sign-in failed', { issuer: settings.issuer, error: detail });
  return new AppError(
    'unavailable',
    `Signing in with ${providerName(settings)} failed: ${detail}. Try again; if it keeps failing, the server's OIDC settings need checking.`,
  );
}

function metadata(settings: OidcSettings, now = Date.now()): Promise<oauth.AuthorizationServer> {
  const kept = discovered.get(settings.issuer);
  if (kept && now - kept.at < METADATA_TTL_MS) return kept.server;
  const issuer = new URL(settings.issuer);
  // Whoever awaits it, a failure arrives as the same AppError, and the next sign-in asks again.
  const server = oauth
    .discoveryRequest(issuer, { algorithm: 'oidc', ...requestOptions(settings) })
    .then((response) => oauth.processDiscoveryResponse(issuer, response))
    .catch((error: unknown) => {
      discovered.delete(settings.issuer);
      throw upstreamFailure(settings, error);
    });
  discovered.set(settings.issuer, { server, at: now });
  return server;
}

/** The provider's host, as the consent page names it. */
export function providerName(settings: OidcSettings): string {
  return new URL(settings.issuer).host;
}

function client(settings: OidcSettings): oauth.Client {
  return { client_id: settings.clientId };
}

/** client_secret_basic, OIDC's default, unless the provider lists only client_secret_post. */
function clientAuth(server: oauth.AuthorizationServer, settings: OidcSettings): oauth.ClientAuth {
  const methods = server.token_endpoint_auth_methods_supported;
  return methods && !methods.includes('client_secret_basic') && methods.includes('client_secret_post')
    ? oauth.ClientSecretPost(settings.clientSecret)
    : oauth.ClientSecretBasic(settings.clientSecret);
}

/** A fresh PKCE verifier and nonce for one sign-in. */
export function newUpstreamState(): UpstreamState {
  return { verifier: oauth.generateRandomCodeVerifier(), nonce: oauth.generateRandomNonce() };
}

/** The provider's authorization URL for one sign-in, carrying the OAuth library's `state`. */
export async function upstreamAuthorizeUrl(
  settings: OidcSettings,
  redirectUri: string,
  state: string,
  kept: UpstreamState,
): Promise<string> {
  const server = await metadata(settings);
  if (!server.authorization_endpoint)
    throw upstreamFailure(settings, new Error('its metadata names no authorization_endpoint'));
  // Added to the endpoint's own query, which RFC 6749 §3.1 says must be kept (Azure AD B2C names its policy there).
  const url = new URL(server.authorization_endpoint);
  const params = {
    response_type: 'code',
    client_id: settings.clientId,
    redirect_uri: redirectUri,
    scope: SCOPES,
    state,
    nonce: kept.nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(kept.verifier),
    code_challenge_method: 'S256',
  };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.toString();
}

/**
 * The person the provider signed in, from its callback (`callback` is the request URL, whose `state` the OAuth
 * library has already checked against this browser): the code exchanged, the ID token's claims checked.
 */
export async function upstreamIdentity(
  settings: OidcSettings,
  redirectUri: string,
  callback: URL,
  kept: UpstreamState,
): Promise<UpstreamIdentity> {
  const server = await metadata(settings);
  const self = client(settings);
  let claims: oauth.IDToken | undefined;
  try {
    // `state` was verified by finishUpstream (single use, bound to this browser's cookie); `iss` is checked here.
    const params = oauth.validateAuthResponse(server, self, callback.searchParams, oauth.skipStateCheck);
    const response = await oauth.authorizationCodeGrantRequest(
      server,
      self,
      clientAuth(server, settings),
      params,
      redirectUri,
      kept.verifier,
      requestOptions(settings),
    );
    const tokens = await oauth.processAuthorizationCodeResponse(server, self, response, {
      expectedNonce: kept.nonce,
      requireIdToken: true,
    });
    claims = oauth.getValidatedIdTokenClaims(tokens);
  } catch (error) {
    throw upstreamFailure(settings, error);
  }
  if (!claims) throw upstreamFailure(settings, new Error('no ID token came back'));
  const verified = claims.email_verified === true || (settings.trustEmail && claims.email_verified === undefined);
  const email = typeof claims.email === 'string' && verified ? claims.email : undefined;
  return { sub: claims.sub, email };
}

/**
 * The OIDC_ALLOW entry that lets this person in, and the subject it names: by `sub` first (compared only with
 * entries that are not email addresses, so a provider's sub can never pass for an address), then by email;
 * undefined when neither is listed.
 */
export function allowedSubject(
  settings: OidcSettings,
  identity: UpstreamIdentity,
): { subject: string; entry: string } | undefined {
  const keys = [identity.sub.includes('@') ? undefined : identity.sub, identity.email?.toLowerCase()];
  for (const entry of keys) {
    const subject = entry === undefined ? undefined : settings.allow.get(entry);
    if (entry !== undefined && subject) return { subject, entry };
  }
  return undefined;
}
