/** Starts the Worker as a real process (`wrangler dev --local`) on a free loopback port, with fresh state. */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const root = new URL('../../', import.meta.url).pathname;
const wrangler = join(root, 'node_modules/.bin/wrangler');

/** Runs SQL against the local D1 state of a dev server, as `wrangler d1 execute --local` does for a person. */
export async function d1Execute(persistDir: string, sql: string): Promise<unknown[]> {
  const { stdout } = await promisify(execFile)(
    wrangler,
    ['d1', 'execute', 'DB', '--local', '--persist-to', persistDir, '--json', '--command', sql],
    {
      cwd: root,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
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
  // No network here: skip fetching the Request.cf sample, which would only time out.
  const env = {
    ...process.env,
    WRANGLER_SEND_METRICS: 'false',
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
  };
  if (ownsState) {
    await promisify(execFile)(wrangler, ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistDir], {
      cwd: root,
      env,
    });
  }
  // freePort's port is free when asked, not necessarily when wrangler binds it: another process may take it
  // in between (seen once in CI), so a start refused for that alone is tried again on new ports.
  let started: Launched | undefined;
  for (let attempt = 1; !started; attempt++) {
    try {
      started = await launch(env, persistDir, options);
    } catch (error) {
      if (!(error instanceof PortTaken) || attempt >= 3) throw error;
    }
  }
  const { child, url } = started;
  const output = started.output;
  return {
    url,
    persistDir,
    output,
    stop: async () => {
      if (child.exitCode === null && child.pid) {
        const exited = new Promise((r) => child.once('exit', r));
        process.kill(-child.pid, 'SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
      }
      if (ownsState) await rm(persistDir, { recursive: true, force: true });
    },
  };
}

class PortTaken extends Error {}

interface Launched {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** One `wrangler dev` on fresh ports, once /health answers. */
async function launch(env: NodeJS.ProcessEnv, persistDir: string, options: DevOptions): Promise<Launched> {
  const port = await freePort();
  const args = ['dev', '--local', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', persistDir];
  args.push('--inspector-port', String(await freePort()), '--show-interactive-dev-session=false');
  for (const [key, value] of Object.entries(options.vars ?? {})) args.push('--var', `${key}:${value}`);
  const child: ChildProcess = spawn(wrangler, args, {
    cwd: root,
    env,
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
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      const why = `wrangler dev exited early:\n${output}`;
      throw output.includes('Address already in use') ? new PortTaken(why) : new Error(why);
    }
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`wrangler dev did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { child, url, output: () => output };
}
