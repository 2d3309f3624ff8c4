/**
 * GET/POST /authorize: the authorization endpoint's page (the library owns the rest of the flow). A person
 * signs in with an access token this server already knows (AUTH_TOKEN or one of AUTH_TOKENS), and the grant
 * belongs to that token's subject. The library validates the request (client, redirect URI, PKCE, resource),
 * binds the form to this browser and makes the code; errors it cannot redirect safely are shown here.
 * Failed sign-ins are rate limited per client address.
 */
import { AuthorizationError, CimdFetchError, type OAuthHelpers } from '@cloudflare/workers-oauth-provider';
import { type Context, Hono } from 'hono';
import { AppError } from '../errors';
import { MessagePage } from '../gallery/views';
import { subjectForToken } from '../http/auth';
import { nonceOf, pageHeaders } from '../http/page-headers';
import type { AppEnv } from '../http/types';
import { ConsentPage } from './consent-page';
import { SCOPE } from './scopes';
import { authorizationServerFor, oauthEnabled } from './server';

export const authorizeRoute = new Hono<AppEnv>();

// No form-action: browsers apply it to the redirect after the form, which goes to the client.
authorizeRoute.use('*', ...pageHeaders({}));

function helpers(c: Context<AppEnv>): OAuthHelpers {
  if (!oauthEnabled(c.var.config, c.env))
    throw new AppError('not_found', 'Sign-in is not enabled on this server (it needs access tokens and OAUTH_KV).');
  const { publicBaseUrl } = c.var.config;
  const origin = new URL(publicBaseUrl ?? c.req.url).origin;
  return authorizationServerFor(c.var.config, origin).getOAuthApi(c.env);
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
  const page = await c.html(<ConsentPage details={details} handle={consent.handle} nonce={nonceOf(c)} error={error} />);
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
  try {
    if (form.get('decision') !== 'allow') {
      const denied = await oauth.denyConsent(c.req.raw, handle);
      return withHeaders(c.redirect(denied.redirectTo, 302), denied.headers);
    }
    const subject = subjectForToken(c.var.config.tokens, String(form.get('token') ?? ''));
    if (!subject) {
      const limiter = c.env.RATE_LIMITER;
      const address = c.req.header('cf-connecting-ip') ?? 'unknown';
      if (limiter && !(await limiter.limit({ key: `signin:${address}` })).success)
        throw new AppError('rate_limited', 'Too many failed sign-ins from this address: wait a minute.', {
          retryAfterSeconds: 60,
        });
      // The handle is still unused: the page is shown again, with a new one.
      return await consentPage(c, oauth, 'That access token is not one this server knows.');
    }
    const asked = new Set((await oauth.parseAuthRequest(c.req.raw)).scope);
    // Reading always; changing only when the person left it ticked; refresh when the client asked for it.
    const scope = [
      SCOPE.read,
      ...(form.get('write') ? [SCOPE.write] : []),
      ...(asked.has('offline_access') ? ['offline_access'] : []),
    ];
    const approved = await oauth.approveConsent(c.req.raw, handle, { scope });
    const { redirectTo } = await oauth.completeAuthorization({
      request: approved.request,
      userId: subject,
      metadata: {},
      scope: approved.request.scope,
      props: { subject },
    });
    return withHeaders(c.redirect(redirectTo, 302), approved.headers);
  } catch (error) {
    return refused(c, error);
  }
});
