import type { Config } from '../config';

/** Hono's environment for this Worker: the generated bindings plus what middleware resolves per request. */
export interface AppEnv {
  Bindings: Env;
  Variables: { config: Config; subject: string };
}
