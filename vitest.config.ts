import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { TOKENS } from './test/helpers/tokens.ts';

export default defineConfig({
  test: {
    silent: 'passed-only',
    projects: [
      {
        plugins: [
          cloudflareTest(async ({ inject }) => ({
            remoteBindings: false,
            wrangler: { configPath: './wrangler.jsonc' },
            miniflare: {
              bindings: {
                TEST_MIGRATIONS: await readD1Migrations('./migrations'),
                AUTH_TOKENS: JSON.stringify(TOKENS),
                JOB_MAX_ATTEMPTS: '3',
                // Several test subjects share the server, which turns the limiter on; test/worker/limits.test.ts
                // turns it back on for its own requests.
                RATE_LIMIT: 'off',
                // A POST delivered to an open SSE stream wakes its loop by settling a promise the stream's request
                // awaits. workerd runs that across requests (wrangler dev, test/e2e), but in this pool, whose
                // requests come through the test's own context, it ends the stream; POSTs go through D1 here.
                SSE_FAST_PATH: 'false',
                ...inject('providerVars'),
              },
            },
          })),
        ],
        test: {
          name: 'workers',
          include: ['test/unit/**/*.test.ts', 'test/worker/**/*.test.ts'],
          setupFiles: ['./test/worker/apply-migrations.ts'],
          globalSetup: ['./test/worker/global-setup.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['./test/e2e/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
