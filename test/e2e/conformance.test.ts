/**
 * The official MCP conformance suite (@modelcontextprotocol/conformance, an exact version in package.json)
 * against the Worker as a real process, for both revisions it serves. Only the scenarios that need none of the
 * suite's own `test_*` fixture tools are run (those are for SDK test servers); the few checks inside them that
 * still need a fixture are listed, with the reason, in test/conformance/expected-failures.yml.
 *
 * The runner sends no credentials, so this server has no token configured and serves loopback callers only,
 * as a fresh `npm run dev` does.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, startDev } from './wrangler-dev';

const root = new URL('../../', import.meta.url).pathname;
const runner = join(root, 'node_modules/.bin/conformance');
const baseline = join(root, 'test/conformance/expected-failures.yml');

const SCENARIOS = {
  '2026-07-28': [
    'server-stateless',
    'tools-list',
    'resources-list',
    'prompts-list',
    'caching',
    'http-header-validation',
    'dns-rebinding-protection',
    'sep-2164-resource-not-found',
  ],
  '2025-11-25': [
    'server-initialize',
    'ping',
    'tools-list',
    'resources-list',
    'prompts-list',
    'logging-set-level',
    'dns-rebinding-protection',
  ],
};

let server: DevServer;
let outputDir: string;

beforeAll(async () => {
  server = await startDev();
  outputDir = await mkdtemp(join(tmpdir(), 'imagegen-conformance-'));
});

afterAll(async () => {
  await server?.stop();
  if (outputDir) await rm(outputDir, { recursive: true, force: true });
});

async function conformance(scenario: string, revision: string): Promise<{ code: number; output: string }> {
  const args = ['server', '--url', `${server.url}/mcp`, '--scenario', scenario, '--spec-version', revision];
  args.push('--expected-failures', baseline, '--output-dir', outputDir);
  try {
    const { stdout, stderr } = await promisify(execFile)(runner, args, { cwd: root, timeout: 60_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe.each(Object.entries(SCENARIOS))('MCP conformance at %s', (revision, scenarios) => {
  it.each(scenarios)('%s passes every check but the baselined ones', async (scenario) => {
    const { code, output } = await conformance(scenario, revision);
    expect(code, output).toBe(0);
    expect(output).toMatch(/Passed: \d+\/\d+/);
  });
});
