/** docs/examples/generate.sh, the curl + jq recipe of docs/clients.md, run as a user would against the server. */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { TOKENS } from '../helpers/tokens';

const script = new URL('../../docs/examples/generate.sh', import.meta.url).pathname;
const run = (args: string[], env: Record<string, string>) =>
  promisify(execFile)('bash', [script, ...args], { env: { ...process.env, ...env }, timeout: 120_000 }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

describe('docs/examples/generate.sh', () => {
  const env = { MCP_URL: `${inject('baseUrl')}/mcp`, MCP_TOKEN: TOKENS.alice, WAIT_SECONDS: '2' };

  it('queues images, waits them out and downloads them', async () => {
    const out = await mkdtemp(join(tmpdir(), 'generate-sh-'));
    try {
      const result = await run(['-n', '2', '-p', 'placeholder', '-o', out, 'a lighthouse at dusk'], env);
      expect(result.code, result.stderr).toBe(0);
      expect(
        result.stdout
          .trim()
          .split('\n')
          .filter((l) => l.includes('completed')),
      ).toHaveLength(2);
      expect((await readdir(out)).filter((f) => f.endsWith('.png'))).toHaveLength(2);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('exits 1 with the server’s reason when the call is refused, and 2 on a usage error', async () => {
    const refused = await run(['-p', 'no-such-provider', 'a fox'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/no-such-provider/);
    const unauthorised = await run(['a fox'], { ...env, MCP_TOKEN: 'wrong-token-0123456789' });
    expect(unauthorised.code).toBe(1);
    expect((await run([], env)).code).toBe(2);
  });
});
