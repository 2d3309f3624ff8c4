/**
 * Scenario 6: the production bundle (wrangler.jsonc's main, not the bench build) as Cloudflare receives it,
 * gzipped, and its start-up CPU time from `wrangler check startup`'s CPU profile.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { root, wrangler, wranglerEnv } from '../dev-server.ts';
import { figure, type ScenarioResult } from '../report.ts';
import { median, round } from '../stats.ts';

const run = promisify(execFile);
const KiB = 1024;

/** Every module the upload carries (the script and any .wasm emitted beside it), not source maps. */
async function bundleSizes(dir: string): Promise<{ raw: number; gzip: number; files: Record<string, number> }> {
  await run(wrangler, ['deploy', '--dry-run', '--outdir', dir], { cwd: root, env: wranglerEnv });
  const files: Record<string, number> = {};
  let raw = 0;
  let gzip = 0;
  for (const name of await readdir(dir)) {
    if (name.endsWith('.map') || name === 'README.md') continue;
    const bytes = await readFile(join(dir, name));
    raw += bytes.byteLength;
    files[name] = gzipSync(bytes).byteLength;
    gzip += files[name];
  }
  return { raw, gzip, files };
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string } }>;
  samples: number[];
  timeDeltas: number[];
}

/** CPU time in the profile that was not idle (script evaluation, compilation, GC), in ms. */
export function activeMs(profile: CpuProfile): number {
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  let micros = 0;
  profile.samples.forEach((node, i) => {
    if (!idle.has(node)) micros += profile.timeDeltas[i] ?? 0;
  });
  return micros / 1000;
}

async function startupMs(dir: string, i: number): Promise<number> {
  const outfile = join(dir, `startup-${i}.cpuprofile`);
  await run(wrangler, ['check', 'startup', '--outfile', outfile], { cwd: root, env: wranglerEnv });
  return activeMs(JSON.parse(await readFile(outfile, 'utf8')) as CpuProfile);
}

export async function bundleAndStartup(quick: boolean): Promise<ScenarioResult> {
  const dir = await mkdtemp(join(tmpdir(), 'imagegen-bundle-'));
  try {
    const sizes = await bundleSizes(join(dir, 'dist'));
    const startups: number[] = [];
    for (let i = 0; i < (quick ? 1 : 5); i++) startups.push(await startupMs(dir, i));
    return {
      id: 6,
      title: 'Bundle and start-up',
      status: 'ok',
      figures: [
        figure('bundle, gzip (script + .wasm)', round(sizes.gzip / KiB, 1), 'KiB', { op: '<=', value: 1024 }),
        figure('bundle, uncompressed', round(sizes.raw / KiB, 1), 'KiB'),
        figure(`start-up CPU time (median of ${startups.length})`, round(median(startups), 1), 'ms', {
          op: '<=',
          value: 60,
        }),
      ],
      notes: [
        `gzip by module: ${Object.entries(sizes.files)
          .map(([name, bytes]) => `${name.replace(/^[0-9a-f]{40}-/, '')} ${round(bytes / KiB, 1)} KiB`)
          .join(', ')}; start-up is the non-idle time in \`wrangler check startup\`'s CPU profile ` +
          '(its "Active" figure); both of the bundle `wrangler deploy` ships (minified, as wrangler.jsonc says)',
      ],
      details: { sizes, startupMs: startups },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
