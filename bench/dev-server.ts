/**
 * Starts the bench build (bench/worker.ts) with `wrangler dev --local` on a free loopback port, with fresh
 * state, through test/e2e/wrangler-dev.ts's launchDev (this adds the script path, the positional that
 * overrides wrangler.jsonc's `main`, a migrated state shared by every server of a run, and the storage host).
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type DevServer, launchDev, root, wrangler, wranglerEnv } from '../test/e2e/wrangler-dev.ts';

export { root, wrangler, wranglerEnv };

export interface BenchDevOptions {
  script: string;
  vars?: Record<string, string>;
  /** R2 and Cloudflare Images from a storage host in another process (startStorageHost). */
  storage?: boolean;
}

/**
 * Applying the migrations takes wrangler seconds, and scenario 8 starts dozens of servers: they are applied once
 * per run into a template directory, and each server starts from a copy of it, state that nothing has served yet.
 */
let migrated: Promise<string> | undefined;

async function migratedTemplate(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'imagegen-bench-template-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  await promisify(execFile)(wrangler, ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', dir], {
    cwd: root,
    env: wranglerEnv,
  });
  return dir;
}

export async function startBenchDev(options: BenchDevOptions): Promise<DevServer> {
  migrated ??= migratedTemplate();
  const persistDir = await mkdtemp(join(tmpdir(), 'imagegen-bench-'));
  await cp(await migrated, persistDir, { recursive: true });
  const storage = options.storage ? await startStorageHost() : undefined;
  const vars = { ...options.vars, ...(storage && { BENCH_STORAGE_URL: storage.url }) };
  // The script first: yargs would take a positional after --var as one more value of that array option.
  const args = ['dev', options.script];
  for (const [key, value] of Object.entries(vars)) args.push('--var', `${key}:${value}`);
  try {
    const server = await startDev(args, persistDir, '/__bench/counters');
    return {
      ...server,
      async stop() {
        await server.stop();
        await storage?.stop();
      },
    };
  } catch (error) {
    await storage?.stop();
    throw error;
  }
}

/**
 * The storage host (bench/storage-host.ts): R2 and Cloudflare Images in a `wrangler dev` of their own, so that
 * their local simulations run outside the measured Worker's process.
 */
export async function startStorageHost(): Promise<DevServer> {
  const persistDir = await mkdtemp(join(tmpdir(), 'imagegen-bench-storage-'));
  return startDev(['dev', '--config', 'bench/storage-host.jsonc'], persistDir, '/ready');
}

/** `wrangler dev --local` with `args` (see launchDev), its state in `persistDir`, removed when stopped. */
async function startDev(args: string[], persistDir: string, readyPath: string): Promise<DevServer> {
  const removeState = () => rm(persistDir, { recursive: true, force: true });
  // Request logging costs the dev server CPU on every request; warnings and errors still show.
  const launched = await launchDev([...args, '--log-level', 'warn'], { persistDir, readyPath }).catch(
    async (error: unknown) => {
      await removeState();
      throw error;
    },
  );
  return {
    ...launched,
    persistDir,
    async stop() {
      await launched.stop();
      await removeState();
    },
  };
}
