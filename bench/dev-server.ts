/**
 * Starts the bench build (bench/worker.ts) with `wrangler dev --local` on a free loopback port, with fresh
 * state. It mirrors startDev in test/e2e/wrangler-dev.ts, whose only missing piece is the script path
 * (the positional that overrides wrangler.jsonc's `main`): once startDev takes a `script` option this
 * file can become a call to it.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type DevServer, freePort } from '../test/e2e/wrangler-dev.ts';

export const root = new URL('../', import.meta.url).pathname;
export const wrangler = join(root, 'node_modules/.bin/wrangler');

/** No network here: skip metrics and the Request.cf sample, which would only time out. */
export const wranglerEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  NO_COLOR: '1',
  FORCE_COLOR: '0',
};

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

/**
 * A port found free can be taken by another process before wrangler binds it: a start refused for that alone
 * is made again from the beginning (fresh state, new ports).
 */
async function retriedOnTakenPort(start: () => Promise<DevServer>): Promise<DevServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (!(error instanceof Error && error.message.includes('Address already in use')) || attempt >= 3) throw error;
    }
  }
}

export function startBenchDev(options: BenchDevOptions): Promise<DevServer> {
  return retriedOnTakenPort(() => startBenchDevOnce(options));
}

async function startBenchDevOnce(options: BenchDevOptions): Promise<DevServer> {
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
export function startStorageHost(): Promise<DevServer> {
  return retriedOnTakenPort(async () => {
    const persistDir = await mkdtemp(join(tmpdir(), 'imagegen-bench-storage-'));
    return startDev(['dev', '--config', 'bench/storage-host.jsonc'], persistDir, '/ready');
  });
}

/** `wrangler dev --local` with `args` on a free port, its state in `persistDir` (removed when stopped). */
async function startDev(args: string[], persistDir: string, readyPath: string): Promise<DevServer> {
  const port = await freePort();
  args.push('--local', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', persistDir);
  args.push('--inspector-port', String(await freePort()), '--show-interactive-dev-session=false');
  // Request logging costs the dev server CPU on every request; warnings and errors still show.
  args.push('--log-level', 'warn');
  const child: ChildProcess = spawn(wrangler, args, {
    cwd: root,
    env: wranglerEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const collect = (d: Buffer) => {
    output += d.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    }
    await rm(persistDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    // A failed build leaves wrangler dev waiting for a fix (and its port holding requests): give up at once.
    if (child.exitCode !== null || output.includes('Build failed')) {
      await stop();
      throw new Error(`wrangler dev did not start:\n${output}`);
    }
    try {
      if ((await fetch(`${url}${readyPath}`, { signal: AbortSignal.timeout(2000) })).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, persistDir, output: () => output, stop };
}
