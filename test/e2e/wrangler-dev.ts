/** Starts the Worker as a real process (`wrangler dev --local`) on a free loopback port, with fresh state. */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const root = new URL('../../', import.meta.url).pathname;
export const wrangler = join(root, 'node_modules/.bin/wrangler');

/** No network here: skip metrics and the Request.cf sample, which would only time out. */
export const wranglerEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  NO_COLOR: '1',
  FORCE_COLOR: '0',
};

/** Runs SQL against the local D1 state of a dev server, as `wrangler d1 execute --local` does for a person. */
export async function d1Execute(persistDir: string, sql: string): Promise<unknown[]> {
  const { stdout } = await promisify(execFile)(
    wrangler,
    ['d1', 'execute', 'DB', '--local', '--persist-to', persistDir, '--json', '--command', sql],
    {
      cwd: root,
      env: wranglerEnv,
      // Whole tables (e.g. every job after the load test) run to megabytes of JSON.
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  const parsed = JSON.parse(stdout) as Array<{ results: unknown[] }>;
  return parsed.flatMap((r) => r.results);
}

export interface DevServer {
  url: string;
  persistDir: string;
  output: () => string;
  stop: () => Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface DevOptions {
  vars?: Record<string, string>;
  /** Share local state with another instance (e.g. to test a second isolate). */
  persistDir?: string;
  /** Also append everything the process prints to this file, for tests in other processes to read. */
  logFile?: string;
}

export async function startDev(options: DevOptions = {}): Promise<DevServer> {
  const ownsState = !options.persistDir;
  const persistDir = options.persistDir ?? (await mkdtemp(join(tmpdir(), 'imagegen-e2e-')));
  if (ownsState) {
    await promisify(execFile)(wrangler, ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistDir], {
      cwd: root,
      env: wranglerEnv,
    });
  }
  const args = ['dev'];
  for (const [key, value] of Object.entries(options.vars ?? {})) args.push('--var', `${key}:${value}`);
  const launched = await launchDev(args, { persistDir, readyPath: '/health', logFile: options.logFile });
  return {
    ...launched,
    persistDir,
    stop: async () => {
      await launched.stop();
      if (ownsState) await rm(persistDir, { recursive: true, force: true });
    },
  };
}

export interface LaunchOptions {
  persistDir: string;
  /** A path that answers 2xx once the Worker serves. */
  readyPath: string;
  /** Also append everything the process prints to this file, for tests in other processes to read. */
  logFile?: string | undefined;
}

class PortTaken extends Error {}

/**
 * `wrangler <args> --local` on free loopback ports with its state in `persistDir`, once `readyPath` answers;
 * `stop` ends the process (the state stays). freePort's port is free when asked, not necessarily when wrangler
 * binds it: another process may take it in between (seen once in CI), so a start refused for that alone is
 * tried again on new ports.
 */
export async function launchDev(
  args: string[],
  options: LaunchOptions,
): Promise<Pick<DevServer, 'url' | 'output' | 'stop'>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await launchOnce(args, options);
    } catch (error) {
      if (!(error instanceof PortTaken) || attempt >= 3) throw error;
    }
  }
}

async function launchOnce(args: string[], options: LaunchOptions): Promise<Pick<DevServer, 'url' | 'output' | 'stop'>> {
  const port = await freePort();
  const all = [...args, '--local', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', options.persistDir];
  all.push('--inspector-port', String(await freePort()), '--show-interactive-dev-session=false');
  const child: ChildProcess = spawn(wrangler, all, {
    cwd: root,
    env: wranglerEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const capture = (d: Buffer) => {
    output += d.toString();
    if (options.logFile) appendFileSync(options.logFile, d);
  };
  child.stdout?.on('data', capture);
  child.stderr?.on('data', capture);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    }
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    // A failed build leaves wrangler dev waiting for a fix (and its port holding requests): give up at once.
    if (child.exitCode !== null || output.includes('Build failed')) {
      await stop();
      const why = `wrangler dev did not start:\n${output}`;
      throw output.includes('Address already in use') ? new PortTaken(why) : new Error(why);
    }
    try {
      if ((await fetch(`${url}${options.readyPath}`, { signal: AbortSignal.timeout(2000) })).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, output: () => output, stop };
}
