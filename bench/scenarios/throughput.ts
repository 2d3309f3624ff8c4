/**
 * Scenario 3: many images requested at once (generate_image, 20 per call, all calls in flight together),
 * timed until the last job completes, then checked for loss and duplication against the D1 rows and the
 * R2 objects themselves. The provider has no delay, so the figure measures the job pipeline.
 */
import { d1Execute } from '../../test/e2e/wrangler-dev.ts';
import type { GenerateResult } from '../client.ts';
import { figure, type ScenarioResult } from '../report.ts';
import { median, round } from '../stats.ts';
import { type BenchContext, measureCounted, ReloadedError, SMALL_IMAGE, untilAcked } from './context.ts';

const PER_CALL = 20;
const PREFIX = 'originals/';

interface Run {
  images: number;
  /** All generate_image calls answered. */
  submitMs: number;
  /** Request sent → the last job's completed_at. */
  lastMs: number;
  jobsPerSecond: number;
  /** Consumer invocations (queue batches) it took. */
  batches: number;
}

interface RowCheck {
  rows: number;
  ids: number;
  completed: number;
  last: number | null;
}

async function runOnce(ctx: BenchContext, images: number, tag: string): Promise<Run> {
  const keysBefore = new Set(await ctx.client.r2Keys(PREFIX));
  const { isolate } = await ctx.client.reset();
  await ctx.client.setVars({ PLACEHOLDER_DELAY_MS: '0' });
  const prompt = `throughput ${tag}`;
  const started = Date.now();
  const calls = Array.from({ length: Math.ceil(images / PER_CALL) }, (_, i) =>
    ctx.client.callTool<GenerateResult>('generate_image', {
      prompt,
      count: Math.min(PER_CALL, images - i * PER_CALL),
      ...SMALL_IMAGE,
    }),
  );
  const ids = (await Promise.all(calls)).flatMap((r) => r.job_ids);
  const submitMs = Date.now() - started;
  await untilAcked(ctx, images, isolate);

  const problems: string[] = [];
  if (new Set(ids).size !== images) problems.push(`${ids.length} job ids returned, ${new Set(ids).size} distinct`);
  const [rows] = (await d1Execute(
    ctx.server.persistDir,
    `SELECT COUNT(*) AS rows, COUNT(DISTINCT id) AS ids, SUM(status = 'completed') AS completed,
       MAX(completed_at) AS last FROM jobs WHERE prompt = '${prompt}'`,
  )) as RowCheck[];
  if (!rows || rows.rows !== images || rows.ids !== images || rows.completed !== images) {
    problems.push(`D1 has ${JSON.stringify(rows)} for ${images} images`);
  }
  const added = (await ctx.client.r2Keys(PREFIX)).filter((k) => !keysBefore.has(k));
  const expected = new Set(ids.map((id) => `${PREFIX}${id}`));
  if (added.length !== images || !added.every((k) => expected.has(k))) {
    problems.push(`R2 gained ${added.length} objects for ${images} images`);
  }
  const after = await ctx.client.counters();
  if (after.isolate !== isolate) throw new ReloadedError();
  const counts = after.origins.queue;
  if (counts.r2.put !== images) problems.push(`${counts.r2.put} R2 puts for ${images} images`);
  if (counts.consumer.retries > 0) problems.push(`${counts.consumer.retries} deliveries retried`);
  if (problems.length > 0) throw new Error(`lost or duplicated work: ${problems.join('; ')}`);

  const lastMs = (rows?.last ?? Date.now()) - started;
  return { images, submitMs, lastMs, jobsPerSecond: images / (lastMs / 1000), batches: counts.consumer.batches };
}

export async function throughput(ctx: BenchContext): Promise<ScenarioResult> {
  const images = ctx.quick ? 40 : 500;
  const repeats = ctx.quick ? 1 : 3;
  const runs: Run[] = [];
  for (let r = 0; r < repeats; r++) {
    runs.push(await measureCounted(ctx, () => runOnce(ctx, images, `${Date.now()}-${r}`)));
    ctx.log(`  run ${r + 1}: ${images} images in ${runs[r]!.lastMs} ms`);
  }
  const med = (pick: (r: Run) => number) => median(runs.map(pick));
  const jobsPerSecond = med((r) => r.jobsPerSecond);
  const lastSeconds = med((r) => r.lastMs) / 1000;
  const submitSeconds = med((r) => r.submitMs) / 1000;
  return {
    id: 3,
    title: 'Throughput',
    status: 'ok',
    figures: [
      figure(`jobs/s (${images} images, ${images / PER_CALL} calls of ${PER_CALL})`, round(jobsPerSecond, 1), 'jobs/s'),
      figure('time to the last completed image', round(lastSeconds, 2), 's'),
      figure('time until every generate_image call returned', round(submitSeconds, 2), 's'),
      figure('images lost or duplicated', 0, ''),
    ],
    notes: [
      `median of ${repeats} runs; every run checked: ${images} distinct ids, ${images} completed rows, ` +
        `${images} new R2 objects, one R2 put per image, no retried delivery; the consumer took them in ` +
        `${med((r) => r.batches)} batches (max_batch_size 10)`,
    ],
    details: { runs },
  };
}
