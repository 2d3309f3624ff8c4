/**
 * Scenario 8: peak memory per image path, as a function of pixels. A deployed isolate has 128 MB for its
 * JavaScript heap and its WebAssembly memory together, and WebAssembly memory never shrinks, so the measure is
 * the Worker's runtime process's peak resident size (bench/memory.ts), which counts both. Each (path, size)
 * gets a fresh server, whose WebAssembly memory starts small: its inputs are readied (bench/scenarios/
 * memory-paths.ts), the high-water mark is reset, the one operation runs, and the peak it added is the figure.
 */
import type { DevServer } from '../../test/e2e/wrangler-dev.ts';
import { BenchClient } from '../client.ts';
import { workerProcess } from '../cpu.ts';
import { photoPng } from '../images.ts';
import { peakDuring } from '../memory.ts';
import { type Figure, figure, type ScenarioResult } from '../report.ts';
import { round } from '../stats.ts';
import { type MemoryPath, type Outcome, PATHS } from './memory-paths.ts';

/** Half the isolate's 128 MB for one operation: the rest is the isolate's own heap, code and other requests. */
const BUDGET_MB = 64;

export interface MemoryContext {
  quick: boolean;
  log: (message: string) => void;
  /** A fresh bench dev server (with the provider fakes' settings). */
  startServer: () => Promise<DevServer>;
  /** Whether R2 and Cloudflare Images run in a storage host apart from the measured process. */
  storageApart: boolean;
  /** Only the paths whose names hold one of these (for working on one figure). */
  paths?: readonly string[] | undefined;
}

interface Measured {
  outcome: Outcome['outcome'] | 'error';
  message?: string;
  beforeMb?: number;
  peakMb?: number;
  addedMb?: number;
}

async function measure(ctx: MemoryContext, path: MemoryPath, side: number): Promise<Measured> {
  const server = await ctx.startServer();
  try {
    const client = new BenchClient(server.url);
    const pid = workerProcess(server.persistDir);
    await client.rpc('tools/list', {});
    const operation = await path.prepare(client, side);
    const { result, beforeMb, peakMb, addedMb } = await peakDuring(pid, operation);
    const rounded = { beforeMb: round(beforeMb), peakMb: round(peakMb), addedMb: round(addedMb) };
    return { ...result, ...rounded };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { outcome: 'error', message: message.split('\n')[0] ?? message };
  } finally {
    await server.stop();
  }
}

export async function peakMemory(ctx: MemoryContext): Promise<ScenarioResult> {
  const sides = ctx.quick ? [1024] : [1024, 2048, 4096];
  const paths = (ctx.quick ? PATHS.filter((p) => p.quick) : PATHS).filter(
    (p) => !ctx.paths || ctx.paths.some((part) => p.name.includes(part)),
  );
  const figures: Figure[] = [];
  const outcomes: string[] = [];
  let ok = 0;
  const errors: string[] = [];
  const details: Record<string, Measured | { outcome: 'n/a'; message: string }> = {};
  for (const path of paths) {
    for (const side of sides) {
      const label = `${path.name} ${side}²`;
      const unavailable = path.unavailable?.(side);
      const measured = unavailable ? undefined : await measure(ctx, path, side);
      const value = measured?.addedMb ?? null;
      figures.push(figure(`memory: ${label}`, value, 'MB', { op: '<=', value: BUDGET_MB }));
      details[label] = measured ?? { outcome: 'n/a', message: unavailable! };
      if (!measured) {
        outcomes.push(`${label}: n/a, ${unavailable}`);
        continue;
      }
      const said = measured.message ? `: ${measured.message}` : '';
      ctx.log(`  ${label}: ${value === null ? 'n/a' : `${value} MB`} (${measured.outcome}${said})`);
      if (measured.outcome === 'error') errors.push(`${label}${said}`);
      else if (measured.outcome === 'ok') ok++;
      else outcomes.push(`${label}: ${measured.outcome}${said}`);
    }
  }

  const sources = await Promise.all(
    sides.map(async (side) => `${side}² ${round((await photoPng(side)).length / 2 ** 20)} MB`),
  );
  const notes = [
    'each (path, size) on a fresh `wrangler dev` server: its inputs readied through the server after the same ' +
      'operation once on a 64² image (code, provider SDKs and photon loaded), then VmRSS read, 5 written to ' +
      "/proc/<pid>/clear_refs, the one operation run, VmHWM read: the figure is VmHWM − VmRSS of the Worker's " +
      'workerd, in MiB, which counts its JavaScript heap and WebAssembly memory alike; budget 64 MB of the ' +
      "isolate's 128 MB",
    ctx.storageApart
      ? 'R2 and Cloudflare Images from a storage host in another `wrangler dev` (bench/storage-host.ts), reached ' +
        'over HTTP with bodies streamed, as on Cloudflare they are services outside the isolate; the local D1 and ' +
        'Queues simulators still run in the measured process. Memory that readying the inputs freed but still ' +
        'holds can be reused by the operation unseen'
      : 'an upper bound: the local D1, R2, Queues and Images simulators run inside the same workerd process ' +
        "(storing an image there is R2's work, not the isolate's); memory that readying the inputs freed but " +
        'still holds can be reused by the operation unseen',
    `stored sources are photo-like PNGs (gradients and noise: ${sources.join(', ')}); provider answers are the ` +
      "fakes' noise PNGs (FAKE:noisy, 3 bytes a pixel, the worst case); edit uploads get the fakes' flat answers",
    `${ok} of ${Object.keys(details).length} operations did the work${outcomes.length ? '; the others:' : ''}`,
    ...outcomes,
  ];
  if (errors.length === 0) return { id: 8, title: 'Peak memory per image path', status: 'ok', figures, notes, details };
  return {
    id: 8,
    title: 'Peak memory per image path',
    status: 'failed',
    figures,
    notes: [`${errors.length} measurement(s) failed: ${errors.join('; ')}`, ...notes],
    details,
  };
}
