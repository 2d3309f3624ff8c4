import type { OAuthResourceAuth } from '@cloudflare/workers-oauth-provider';
import type { Config } from '../config';

/** Hono's environment for this Worker: the generated bindings plus what middleware resolves per request. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    config: Config;
    subject: string;
    /** What the caller may do: images:read, images:write (every scope for a configured token). */
    scopes: ReadonlySet<string>;
    /** The verified OAuth token, when the caller came through a resource server (src/oauth/entry.ts). */
    auth?: OAuthResourceAuth;
  };
}
