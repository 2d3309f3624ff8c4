import type { TestProject } from 'vitest/node';
import { fakeProviderVars, startFakes } from '../fakes/all';
import { TOKENS } from '../helpers/tokens';
import { startDev } from './wrangler-dev';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    persistDir: string;
  }
}

export default async function setup(project: TestProject) {
  const fakes = await startFakes();
  const server = await startDev({
    vars: { AUTH_TOKENS: JSON.stringify(TOKENS), PLACEHOLDER_DELAY_MS: '200', ...fakeProviderVars(fakes) },
  });
  project.provide('baseUrl', server.url);
  project.provide('persistDir', server.persistDir);
  return async () => {
    await server.stop();
    await fakes.close();
  };
}
