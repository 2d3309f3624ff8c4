/**
 * The Worker's fetch with OAuth in front (when on, see server.ts): the authorization server's own endpoints
 * (metadata, token, registration, revocation) go to the library; /mcp and /sse, and their protected-resource
 * metadata, go through their resource servers, which answer the 401 challenge and hand the app the
 * verified grant as ctx.props and ctx.auth; everything else, /authorize included, is the app's. CORS
 * preflights skip the resource servers: they carry no token.
 */
import { ConfigError, loadConfig } from '../config';
import { originAllowed } from '../http/origin';
import { oauthEnabled, oauthFor, oauthOrigin } from './server';

type Fetch = (request: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response>;

function isAuthorizationServerPath(path: string): boolean {
  return path.startsWith('/.well-known/oauth-authorization-server') || path.startsWith('/oauth/');
}

export function withOAuth(app: Fetch): Fetch {
  return (request, env, ctx) => {
    let config: ReturnType<typeof loadConfig>;
    try {
      config = loadConfig(env);
    } catch (error) {
      // The app reports invalid settings on every route (and /health names them).
      if (error instanceof ConfigError) return app(request, env, ctx);
      throw error;
    }
    if (!oauthEnabled(config, env) || request.method === 'OPTIONS') return app(request, env, ctx);
    const url = new URL(request.url);
    const oauth = oauthFor(config, oauthOrigin(config, request.url), { fetch: app });
    if (isAuthorizationServerPath(url.pathname)) return oauth.server.fetch(request, env, ctx);
    const resource = oauth.resourceFor(url.pathname);
    if (!resource) return app(request, env, ctx);
    return resource.fetch(request, env, ctx).then((response) => {
      if (response.status !== 401) return response;
      // A browser client must read this challenge to start signing in: CORS as the app gives its answers.
      const from = request.headers.get('origin') ?? undefined;
      const allowed = from && originAllowed(from, request.url, config, request.headers.get('host') ?? undefined);
      return explained(response, allowed ? from : undefined);
    });
  };
}

/**
 * The resource servers' 401 carries its reason only in WWW-Authenticate; a script reading the body gets it in
 * the same JSON-RPC error shape as every other refusal on these routes.
 */
async function explained(response: Response, corsOrigin: string | undefined): Promise<Response> {
  const headers = new Headers(response.headers);
  if (corsOrigin) {
    headers.set('access-control-allow-origin', corsOrigin);
    headers.set('access-control-expose-headers', 'WWW-Authenticate');
    headers.append('vary', 'Origin');
  }
  if (response.headers.get('content-type')) return new Response(response.body, { status: 401, headers });
  const challenge = response.headers.get('www-authenticate') ?? '';
  const message = challenge.includes('invalid_token')
    ? 'Invalid bearer token: send one of this server’s access tokens, or sign in with OAuth (see resource_metadata in WWW-Authenticate).'
    : 'Missing bearer token: send "Authorization: Bearer <token>", or sign in with OAuth (see resource_metadata in WWW-Authenticate).';
  headers.set('content-type', 'application/json');
  const body = { jsonrpc: '2.0', id: null, error: { code: -32000, message } };
  return new Response(JSON.stringify(body), { status: 401, headers });
}
