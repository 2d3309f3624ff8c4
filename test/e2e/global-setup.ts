import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { fakeProviderVars, startFakes } from '../fakes/all';
import { TOKENS } from '../helpers/tokens';
import { startDev } from './wrangler-dev';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    persistDir: string;
    /** Everything the Worker process has printed so far. */
    devLog: string;
  }
}

/** Recognisable, so the secrets test can look for it in everything the suite captured. */
export const E2E_SIGNING_KEY = 'test-signing-key-secret-0123456789abcdef';

export default async function setup(project: TestProject) {
  const fakes = await startFakes();
  const logDir = await mkdtemp(join(tmpdir(), 'imagegen-e2e-log-'));
  const devLog = join(logDir, 'wrangler-dev.log');
  const server = await startDev({
    vars: {
      AUTH_TOKENS: JSON.stringify(TOKENS),
      PLACEHOLDER_DELAY_MS: '200',
      IMAGE_SIGNING_KEY: E2E_SIGNING_KEY,
      // The suite makes more calls per minute as one subject than the limiter allows a person.
      RATE_LIMIT: 'off',
      ...fakeProviderVars(fakes),
    },
    logFile: devLog,
  });
  project.provide('baseUrl', server.url);
  project.provide('persistDir', server.persistDir);
  project.provide('devLog', devLog);
  return async () => {
    await server.stop();
    await fakes.close();
    await rm(logDir, { recursive: true, force: true });
  };
}
