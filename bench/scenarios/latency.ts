/**
 * Scenario 1: generate_image_and_wait end to end, sequentially, with the placeholder provider held at a
 * fixed 500 ms. The overhead is what the server adds above that: HTTP, D1, the queue hop and the wait's polling.
 */
import { d1Execute } from '../../test/e2e/wrangler-dev.ts';
import type { WaitResult } from '../client.ts';
import { figure, type ScenarioResult } from '../report.ts';
import { median, percentile, round } from '../stats.ts';
import { type BenchContext, measureCounted, ReloadedError, SMALL_IMAGE } from './context.ts';

const PROVIDER_MS = 500;

/** One call, and where its time went, from the job row's timestamps (same machine, so same clock). */
interface Sample {
  jobId: string;
  total: number;
  /** Client send → row created: HTTP, auth, validation, the INSERT. */
  submit: number;
  /** Row created → job claimed by the consumer: the queue hop. */
  queue: number;
  /** Claimed → completed: provider, R2 head and put, the completing UPDATE. */
  processing: number;
  /** Completed → reply received: until the wait's next poll, and the reply. */
  detect: number;
}

/** As measured from the client, before the claim time splits created → completed in two. */
type Timed = Omit<Sample, 'queue' | 'processing'> & { pipeline: number };

async function once(ctx: BenchContext, i: number): Promise<Timed> {
  const sent = Date.now();
  const start = performance.now();
  const result = await ctx.client.callTool<WaitResult>('generate_image_and_wait', {
    prompt: `latency ${i}`,
    ...SMALL_IMAGE,
    timeout_seconds: 30,
  });
  const total = performance.now() - start;
  const job = result.jobs[0];
  if (result.status !== 'completed' || !job?.completed_at) throw new Error(`run ${i} ended ${result.status}`);
  const created = Date.parse(job.created_at);
  const completed = Date.parse(job.completed_at);
  return {
    jobId: job.job_id,
    total,
    submit: created - sent,
    pipeline: completed - created,
    detect: sent + total - completed,
  };
}

/** The claim time is not in the tool's job view, so it is read from D1 once the runs are over. */
async function withClaimTimes(ctx: BenchContext, runs: Timed[]): Promise<Sample[]> {
  const ids = runs.map((r) => `'${r.jobId}'`).join(', ');
  const rows = (await d1Execute(
    ctx.server.persistDir,
    `SELECT id, started_at - created_at AS queue FROM jobs WHERE id IN (${ids})`,
  )) as Array<{ id: string; queue: number }>;
  const queueOf = new Map(rows.map((r) => [r.id, r.queue]));
  return runs.map(({ pipeline, ...r }) => {
    const queue = queueOf.get(r.jobId) ?? Number.NaN;
    return { ...r, queue, processing: pipeline - queue };
  });
}

/** The timed calls, again from the start if the Worker reloads meanwhile (which also drops the delay setting). */
async function timedRuns(ctx: BenchContext, runs: number): Promise<Timed[]> {
  const { isolate } = await ctx.client.counters();
  await ctx.client.setVars({ PLACEHOLDER_DELAY_MS: String(PROVIDER_MS) });
  const timed: Timed[] = [];
  for (let i = 0; i < runs; i++) timed.push(await once(ctx, i));
  if ((await ctx.client.counters()).isolate !== isolate) throw new ReloadedError();
  return timed;
}

export async function generateToImage(ctx: BenchContext): Promise<ScenarioResult> {
  const runs = ctx.quick ? 3 : 25;
  await ctx.client.setVars({ PLACEHOLDER_DELAY_MS: String(PROVIDER_MS) });
  // Untimed: the first calls pay for loading the WASM module and creating the signing key.
  for (let i = 0; i < 2; i++) await once(ctx, -1 - i);
  const timed = await measureCounted(ctx, () => timedRuns(ctx, runs));
  const samples = await withClaimTimes(ctx, timed);
  const pick = (key: Exclude<keyof Sample, 'jobId'>) => samples.map((s) => s[key]);
  const overheads = pick('total').map((t) => t - PROVIDER_MS);
  const ms = (v: number) => round(v, 0);
  return {
    id: 1,
    title: 'Generate-to-image latency',
    status: 'ok',
    figures: [
      figure(`latency p50 (${runs} sequential runs)`, ms(median(pick('total'))), 'ms'),
      figure('latency p95', ms(percentile(pick('total'), 95)), 'ms'),
      figure('overhead above the 500 ms provider, p50', ms(median(overheads)), 'ms', { op: '<=', value: 100 }),
      figure('overhead p95', ms(percentile(overheads, 95)), 'ms'),
    ],
    notes: [
      `median split of a call: submit ${ms(median(pick('submit')))} ms, queue hop ${ms(median(pick('queue')))} ms, ` +
        `processing ${ms(median(pick('processing')))} ms (the provider's ${PROVIDER_MS} ms, a 256×256 PNG, R2, D1), ` +
        `completion → reply ${ms(median(pick('detect')))} ms (p95 ${ms(percentile(pick('detect'), 95))} ms: the wait's poll interval)`,
    ],
    details: { providerMs: PROVIDER_MS, samples },
  };
}
