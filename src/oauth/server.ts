/**
 * OAuth 2.1 for MCP clients that sign in (Claude.ai custom connectors, ChatGPT, MCP Inspector, Claude Code):
 * this Worker is both the authorization server and the resource server for /mcp and /sse, through
 * @cloudflare/workers-oauth-provider (its docs ship in the package: README.md, docs/resource-servers.md).
 * On when OAUTH_KV is bound and there is a way to sign in: configured access tokens, or an OpenID Connect
 * provider (authorize-route.tsx). Static bearer tokens keep working beside it: the resource servers' validator
 * recognises them first ("Alongside your own tokens" in those docs). A grant whose credential was taken away
 * (credentials.ts) is refused as an invalid token, and cannot be refreshed.
 */
import {
  OAuthAuthorizationServer,
  OAuthError,
  type OAuthResourceHandler,
  OAuthResourceServer,
  type ValidatedAccessToken,
} from '@cloudflare/workers-oauth-provider';
import { type Config, scopesOf, subjectForToken } from '../config';
import { type OAuthProps, stillGranted } from './credentials';
import { SCOPE, SCOPES_SUPPORTED } from './scopes';

export type { OAuthProps } from './credentials';

/** The origin OAuth speaks for: PUBLIC_BASE_URL's when set, else the one the request came to. */
export function oauthOrigin(config: Config, requestUrl: string): string {
  return new URL(config.publicBaseUrl ?? requestUrl).origin;
}

/** The resources tokens are issued for, by path. */
export const RESOURCE_PATHS = ['/mcp', '/sse'] as const;

export interface OAuth {
  issuer: string;
  server: OAuthAuthorizationServer<Env>;
  /** The resource server for a request path (a resource, a path under it, or its RFC 9728 metadata). */
  resourceFor(path: string): OAuthResourceServer<Env, OAuthProps> | undefined;
}

/** On with OAUTH_KV bound and a way to sign in: a configured access token, or an upstream OIDC provider. */
export function oauthEnabled(config: Config, env: { OAUTH_KV?: KVNamespace | undefined }): boolean {
  return (config.tokens.size > 0 || config.oidc !== undefined) && Boolean(env.OAUTH_KV);
}

/** Access tokens live an hour; refresh tokens rotate on use and lapse after 30 idle days. */
const ACCESS_TOKEN_TTL_SECONDS = 3600;
const REFRESH_IDLE_TTL_SECONDS = 30 * 24 * 3600;

const servers = new WeakMap<Config, Map<string, OAuthAuthorizationServer<Env>>>();
const built = new WeakMap<Config, Map<string, OAuth>>();

function cached<T>(store: WeakMap<Config, Map<string, T>>, config: Config, origin: string, make: () => T): T {
  let byOrigin = store.get(config);
  if (!byOrigin) {
    byOrigin = new Map();
    store.set(config, byOrigin);
  }
  let value = byOrigin.get(origin);
  if (value === undefined) {
    value = make();
    byOrigin.set(origin, value);
  }
  return value;
}

/** The authorization server of `origin` (PUBLIC_BASE_URL when set, else the origin the request came to). */
export function authorizationServerFor(config: Config, origin: string): OAuthAuthorizationServer<Env> {
  return cached(servers, config, origin, () => {
    const resources = RESOURCE_PATHS.map((path) => `${origin}${path}`);
    return new OAuthAuthorizationServer<Env>({
      issuer: origin,
      resources,
      defaultResource: resources[0],
      scopesSupported: SCOPES_SUPPORTED,
      clientRegistrationEndpoint: '/oauth/register',
      clientIdMetadataDocumentEnabled: true,
      accessTokenTTL: ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenIdleTTL: REFRESH_IDLE_TTL_SECONDS,
      // invalid_grant also revokes the grant with its tokens (docs/advanced-configuration.md): it can never work again.
      tokenExchangeCallback: async ({ props }) => {
        if (!(await stillGranted(config, props as OAuthProps)))
          throw new OAuthError('invalid_grant', {
            description: 'The credential this sign-in was made with was removed.',
          });
      },
    });
  });
}

/**
 * An access token this server issued, valid for `resource` and made with a credential that still signs its
 * subject in; null for anything else.
 */
export async function validOAuthToken(
  config: Config,
  origin: string,
  resource: string,
  token: string,
  env: Env,
): Promise<ValidatedAccessToken<OAuthProps> | null> {
  const valid = await authorizationServerFor(config, origin).validateToken<OAuthProps>(resource, token, env);
  return valid && valid.audience === resource && (await stillGranted(config, valid.props)) ? valid : null;
}

/** The authorization server and the resource servers of `origin`, built once per configuration and origin. */
export function oauthFor(config: Config, origin: string, handler: OAuthResourceHandler<Env, OAuthProps>): OAuth {
  return cached(built, config, origin, () => {
    const server = authorizationServerFor(config, origin);
    const byPath = new Map(
      RESOURCE_PATHS.map((path) => [
        path,
        new OAuthResourceServer<Env, OAuthProps>({
          resourceMetadata: { resource: `${origin}${path}`, authorization_servers: [origin] },
          requiredScopes: [SCOPE.read, SCOPE.write],
          validateToken: (env) => async (resource, token) => {
            const subject = subjectForToken(config.tokens, token);
            if (subject) return { props: { subject }, audience: resource, scope: [...scopesOf(config, subject)] };
            return validOAuthToken(config, origin, resource, token, env);
          },
          handler,
        }),
      ]),
    );
    return {
      issuer: origin,
      server,
      resourceFor(path) {
        for (const [resource, host] of byPath) {
          if (path === resource || path.startsWith(`${resource}/`)) return host;
          if (path === `/.well-known/oauth-protected-resource${resource}`) return host;
        }
        return undefined;
      },
    };
  });
}
