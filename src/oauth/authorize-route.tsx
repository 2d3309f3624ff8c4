/**
 * GET/POST /authorize: the authorization endpoint's page (the library owns the rest of the flow). A person
 * signs in one of two ways, chosen by configuration:
 * - built in: with an access token this server already knows (AUTH_TOKEN or one of AUTH_TOKENS); the grant
 *   belongs to that token's subject. Tries are rate limited per client address, the right ones too;
 * - with OIDC_ISSUER set: at that OpenID Connect provider, after Allow here (consent comes first, as MCP's
 *   security practices require of a proxy to a third party); GET /authorize/callback finishes, and the grant
 *   belongs to the subject OIDC_ALLOW gives the person. Nobody outside that list gets a code.
 * Either way the grant's scopes are what the person left ticked, within the subject's SUBJECT_SCOPES. The
 * library validates the request (client, redirect URI, PKCE, resource), binds the form and the upstream
 * `state` to this browser and makes the code; errors it cannot redirect safely are shown here.
 */
import {
  AuthorizationError,
  type AuthRequest,
  authorizationErrorRedirect,
  CimdFetchError,
  type OAuthHelpers,
} from '@cloudflare/workers-oauth-provider';
import { type Context, Hono } from 'hono';
import { type Config, RATE_LIMIT, scopesOf, subjectForToken } from '../config';
import { AppError } from '../errors';
import { MessagePage } from '../gallery/views';
import { nonceOf, pageHeaders } from '../http/page-headers';
import type { AppEnv } from '../http/types';
import { log } from '../log';
import { ConsentPage, type SignIn } from './consent-page';
import { type SignedInWith, signedInWithToken } from './credentials';
import { SCOPE } from './scopes';
import { authorizationServerFor, oauthEnabled, oauthOrigin } from './server';
import {
  allowedSubject,
  CALLBACK_PATH,
  newUpstreamState,
  providerName,
  type UpstreamState,
  upstreamAuthorizeUrl,
  upstreamIdentity,
} from './upstream';

export const authorizeRoute = new Hono<AppEnv>();

// No form-action: browsers apply it to the redirect after the form, which goes to the client.
authorizeRoute.use('*', ...pageHeaders({}));

/** Where the OIDC provider sends the person back (registered at the provider as the redirect URI). */
function callbackUrl(c: Context<AppEnv>): string {
  return `${oauthOrigin(c.var.config, c.req.url)}${CALLBACK_PATH}`;
}

function helpers(c: Context<AppEnv>): OAuthHelpers {
  if (!oauthEnabled(c.var.config, c.env))
    throw new AppError(
      'not_found',
      'Sign-in is not enabled on this server (it needs OAUTH_KV, and access tokens or OIDC settings).',
    );
  return authorizationServerFor(c.var.config, oauthOrigin(c.var.config, c.req.url)).getOAuthApi(c.env);
}

function signInOf(config: Config): SignIn {
  return config.oidc ? { kind: 'oidc', provider: providerName(config.oidc) } : { kind: 'token' };
}

/**
 * Whose tries an address spends: an IPv4 address itself; for IPv6 its /64, the block one subscriber usually
 * holds whole (RFC 6177), so that walking through its addresses does not buy more guesses.
 */
export function signInKey(address: string): string {
  if (!address.includes(':')) return `signin:${address}`;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `signin:${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** Spends one of the client address's sign-in tries (RATE_LIMIT a minute); true when none was left. */
async function signInsSpent(c: Context<AppEnv>): Promise<boolean> {
  const limiter = c.env.RATE_LIMITER;
  if (!limiter) return false;
  const key = signInKey(c.req.header('cf-connecting-ip') ?? 'unknown');
  return !(await limiter.limit({ key })).success;
}

/** Reading always; changing when the person left it ticked; refresh when the client asked for it. */
function chosenScope(form: FormData, asked: readonly string[]): string[] {
  return [
    SCOPE.read,
    ...(form.get('write') ? [SCOPE.write] : []),
    ...(asked.includes('offline_access') ? ['offline_access'] : []),
  ];
}

/**
 * The code for `subject`, made with `via`, its scopes narrowed to what the subject may do; the redirect back to
 * the client.
 */
async function issue(
  oauth: OAuthHelpers,
  config: Config,
  request: AuthRequest,
  subject: string,
  via: SignedInWith,
): Promise<string> {
  const allowed = scopesOf(config, subject);
  const scope = request.scope.filter((s) => s === 'offline_access' || allowed.has(s));
  const { redirectTo } = await oauth.completeAuthorization({
    request,
    userId: subject,
    metadata: {},
    scope,
    props: { subject, via },
  });
  return redirectTo;
}

/** What the library refuses: back to the client when it validated where to, else shown here. */
async function refused(c: Context<AppEnv>, error: unknown): Promise<Response> {
  if (error instanceof AuthorizationError && error.redirectTo) return c.redirect(error.redirectTo, 302);
  if (error instanceof AuthorizationError || error instanceof CimdFetchError) {
    const message = error instanceof AuthorizationError ? error.description : 'This app could not be verified.';
    c.status(400);
    return c.html(<MessagePage title="Cannot sign in" message={message ?? 'Invalid request.'} nonce={nonceOf(c)} />);
  }
  throw error;
}

/** Headers the library set (its cookie, framing rules) copied onto a response. */
function withHeaders(response: Response, headers: Headers): Response {
  for (const [name, value] of headers) response.headers.append(name, value);
  return response;
}

async function consentPage(c: Context<AppEnv>, oauth: OAuthHelpers, error?: string): Promise<Response> {
  const request = await oauth.parseAuthRequest(c.req.raw);
  const details = await oauth.describeConsent(request);
  const consent = await oauth.beginConsent(request);
  if (error) c.status(401);
  const page = await c.html(
    <ConsentPage
      details={details}
      handle={consent.handle}
      nonce={nonceOf(c)}
      signIn={signInOf(c.var.config)}
      error={error}
    />,
  );
  return withHeaders(page, consent.headers);
}

authorizeRoute.get('/', async (c) => {
  const oauth = helpers(c);
  try {
    return await consentPage(c, oauth);
  } catch (error) {
    return refused(c, error);
  }
});

authorizeRoute.post('/', async (c) => {
  const oauth = helpers(c);
  const form = await c.req.formData();
  const handle = String(form.get('handle') ?? '');
  const { config } = c.var;
  // The scopes the person chose, from those the client asked for; the handle is used up by this.
  const approve = async () => {
    const asked = (await oauth.parseAuthRequest(c.req.raw)).scope;
    return oauth.approveConsent(c.req.raw, handle, { scope: chosenScope(form, asked) });
  };
  try {
    if (form.get('decision') !== 'allow') {
      const denied = await oauth.denyConsent(c.req.raw, handle);
      return withHeaders(c.redirect(denied.redirectTo, 302), denied.headers);
    }
    if (config.oidc) {
      // Consent given: only now does the person go to the provider, with a state bound to this browser.
      const approved = await approve();
      const kept = newUpstreamState();
      const { state, headers } = await oauth.beginUpstream(approved.request, { data: kept, headers: approved.headers });
      const location = await upstreamAuthorizeUrl(config.oidc, callbackUrl(c), state, kept);
      return withHeaders(c.redirect(location, 302), headers);
    }
    // Every try spends the address's limit before the token is looked at: a limited address learns nothing,
    // not even that a guess was right.
    if (await signInsSpent(c)) {
      c.status(429);
      c.header('Retry-After', String(RATE_LIMIT.periodSeconds));
      const message = 'Too many sign-in attempts from this address: wait a minute, then try again.';
      return c.html(<MessagePage title="Cannot sign in" message={message} nonce={nonceOf(c)} />);
    }
    const token = String(form.get('token') ?? '');
    const subject = subjectForToken(config.tokens, token);
    // The handle is still unused: the page is shown again, with a new one.
    if (!subject) return await consentPage(c, oauth, 'That access token is not one this server knows.');
    const approved = await approve();
    const redirectTo = await issue(oauth, config, approved.request, subject, await signedInWithToken(token));
    return withHeaders(c.redirect(redirectTo, 302), approved.headers);
  } catch (error) {
    return refused(c, error);
  }
});

/**
 * The OIDC provider's redirect back: the approved request recovered (its `state` single use and bound to this
 * browser), the person identified, and the client answered: a code for a listed person, access_denied for
 * a refusal at the provider, and for anyone not listed a page saying so (and nothing issued).
 */
authorizeRoute.get(CALLBACK_PATH.slice('/authorize'.length), async (c) => {
  const oauth = helpers(c);
  const { oidc } = c.var.config;
  if (!oidc) throw new AppError('not_found', 'This server does not sign in through an OpenID Connect provider.');
  let resumed: Awaited<ReturnType<typeof oauth.finishUpstream<UpstreamState>>>;
  try {
    resumed = await oauth.finishUpstream<UpstreamState>(c.req.raw);
  } catch (error) {
    return refused(c, error);
  }
  const { request, data, headers } = resumed;
  const url = new URL(c.req.url);
  if (url.searchParams.get('error')) {
    const location = authorizationErrorRedirect(request, 'access_denied', 'Sign-in was refused at the provider.');
    return withHeaders(c.redirect(location, 302), headers);
  }
  let identity: Awaited<ReturnType<typeof upstreamIdentity>>;
  try {
    identity = await upstreamIdentity(oidc, callbackUrl(c), url, data);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    c.status(502);
    const page = await c.html(<MessagePage title="Cannot sign in" message={error.message} nonce={nonceOf(c)} />);
    return withHeaders(page, headers);
  }
  const allowed = allowedSubject(oidc, identity);
  if (!allowed) {
    log.warn('oidc sign-in refused: not on the allow-list', { sub: identity.sub });
    c.status(403);
    const who = identity.email ?? `the account ${identity.sub}`;
    return withHeaders(
      await c.html(
        <MessagePage
          title="Not allowed"
          message={`You signed in as ${who}, which this server does not list (OIDC_ALLOW). Ask its owner to add you.`}
          nonce={nonceOf(c)}
        />,
      ),
      headers,
    );
  }
  const via = { kind: 'oidc', identity: allowed.entry } as const;
  return withHeaders(c.redirect(await issue(oauth, c.var.config, request, allowed.subject, via), 302), headers);
});
