/**
 * Scenario 5: what one image costs in platform operations, as the bench build counts them at the bindings
 * (bench/worker.ts), and what the wait tools cost per second of waiting. From these, how many images a
 * day fit Cloudflare's free plan.
 */
import type { GenerateResult, WaitResult } from '../client.ts';
import { ORIGINS, sumTallies, type Tally } from '../counters.ts';
import { figure, type ScenarioResult } from '../report.ts';
import { round } from '../stats.ts';
import { type BenchContext, measureCounted, ReloadedError, SMALL_IMAGE, untilAcked } from './context.ts';

/**
 * Free-plan allowances, from Cloudflare's pricing pages as of writing. Queues: 10,000 operations a day
 * since Queues joined the Workers Free plan (February 2025); each message costs three (write, read,
 * delete). Re-check these when the pricing pages change.
 */
const FREE = {
  d1RowsReadPerDay: 5_000_000,
  d1RowsWrittenPerDay: 100_000,
  queueOperationsPerDay: 10_000,
  r2ClassAPerDay: 1_000_000 / 30,
  r2ClassBPerDay: 10_000_000 / 30,
};

export interface PerImage {
  d1Statements: number;
  d1RoundTrips: number;
  d1RowsWritten: number;
  d1RowsRead: number;
  /** send/sendBatch calls: a sendBatch is one. */
  queueProducerCalls: number;
  /** Billed operations: each message written, read (delivered) and deleted (acked). */
  queueBilledOperations: number;
  r2ClassA: number;
  r2ClassB: number;
  statements: Record<string, number>;
}

function perImage(t: Tally, images: number): PerImage {
  const per = (n: number) => round(n / images, 2);
  return {
    d1Statements: per(t.d1.statements),
    d1RoundTrips: per(t.d1.calls),
    d1RowsWritten: per(t.d1.rowsWritten),
    d1RowsRead: per(t.d1.rowsRead),
    queueProducerCalls: per(t.queue.operations),
    queueBilledOperations: per(t.queue.messages + t.consumer.messages + t.consumer.acks),
    r2ClassA: per(t.r2.put + t.r2.list + t.r2.other),
    r2ClassB: per(t.r2.get + t.r2.head),
    statements: Object.fromEntries(Object.entries(t.statements).map(([k, v]) => [k, per(v)])),
  };
}

/** Generates `calls` × `count` images without waiting on them, and counts everything every entry point did. */
async function measureGeneration(ctx: BenchContext, calls: number, count: number): Promise<PerImage> {
  const { isolate } = await ctx.client.reset();
  await ctx.client.setVars({ PLACEHOLDER_DELAY_MS: '0' });
  for (let i = 0; i < calls; i++) {
    await ctx.client.callTool<GenerateResult>('generate_image', {
      prompt: `footprint ${count}`,
      count,
      ...SMALL_IMAGE,
    });
  }
  const images = calls * count;
  // The consumer acks after the completing UPDATE, so at that point every operation of the job is counted.
  await untilAcked(ctx, images, isolate);
  const snapshot = await ctx.client.counters();
  if (snapshot.isolate !== isolate) throw new ReloadedError();
  return perImage(sumTallies(ORIGINS.map((o) => snapshot.origins[o])), images);
}

/** D1 work of wait_for_completion on one job the provider holds for `providerMs`, per second waited. */
async function measureWaiting(ctx: BenchContext, providerMs: number) {
  const { isolate } = await ctx.client.counters();
  await ctx.client.setVars({ PLACEHOLDER_DELAY_MS: String(providerMs) });
  const { job_ids } = await ctx.client.callTool<GenerateResult>('generate_image', { prompt: 'wait', ...SMALL_IMAGE });
  await ctx.client.reset();
  const start = performance.now();
  const result = await ctx.client.callTool<WaitResult>('wait_for_completion', { job_ids, timeout_seconds: 30 });
  const seconds = (performance.now() - start) / 1000;
  await ctx.client.setVars({ PLACEHOLDER_DELAY_MS: '0' });
  if (result.status !== 'completed') throw new Error(`the waited job ended ${result.status}`);
  // Only the wait's own request: the consumer working on the job meanwhile counts under "queue".
  const snapshot = await ctx.client.counters();
  if (snapshot.isolate !== isolate) throw new ReloadedError();
  const d1 = snapshot.origins.fetch.d1;
  return {
    seconds: round(seconds, 2),
    statementsPerSecond: round(d1.statements / seconds, 2),
    rowsReadPerSecond: round(d1.rowsRead / seconds, 2),
  };
}

function freePlan(p: PerImage, waitRowsReadPerSecond: number, waitSeconds: number) {
  const limits = {
    'D1 rows written': FREE.d1RowsWrittenPerDay / p.d1RowsWritten,
    'D1 rows read': FREE.d1RowsReadPerDay / p.d1RowsRead,
    'Queues operations': FREE.queueOperationsPerDay / p.queueBilledOperations,
    'R2 class A': FREE.r2ClassAPerDay / p.r2ClassA,
    'R2 class B': FREE.r2ClassBPerDay / p.r2ClassB,
  };
  const withWait = FREE.d1RowsReadPerDay / (p.d1RowsRead + waitRowsReadPerSecond * waitSeconds);
  const [binding, images] = Object.entries(limits).reduce((a, b) => (b[1] < a[1] ? b : a));
  return { images: Math.floor(images), binding, limits, d1ReadsWithWait: Math.floor(withWait) };
}

export async function footprint(ctx: BenchContext): Promise<ScenarioResult> {
  const single = await measureCounted(ctx, () => measureGeneration(ctx, ctx.quick ? 2 : 10, 1));
  const batch = await measureCounted(ctx, () => measureGeneration(ctx, 1, 20));
  const wait = await measureCounted(ctx, () => measureWaiting(ctx, ctx.quick ? 2_000 : 10_000));
  const plan = freePlan(single, wait.rowsReadPerSecond, 10);
  const statements = Object.entries(single.statements)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return {
    id: 5,
    title: 'Platform footprint per image',
    status: 'ok',
    figures: [
      figure('D1 statements per image (count 1)', single.d1Statements, '', { op: '<=', value: 6 }),
      figure('D1 statements per image (count 20)', batch.d1Statements, '', { op: '<=', value: 6 }),
      figure('D1 rows written per image', single.d1RowsWritten, 'rows'),
      figure('D1 rows read per image', single.d1RowsRead, 'rows'),
      figure('queue operations per image (write + read + delete)', single.queueBilledOperations, '', {
        op: '<=',
        value: 3,
      }),
      figure('queue send/sendBatch calls per image', single.queueProducerCalls, ''),
      figure('R2 class A operations per image', single.r2ClassA, ''),
      figure('R2 class B operations per image', single.r2ClassB, ''),
      figure('D1 statements per second of waiting', wait.statementsPerSecond, '/s'),
      figure('D1 rows read per second of waiting', wait.rowsReadPerSecond, '/s'),
      figure(`images/day on the free plan (bound: ${plan.binding})`, plan.images, ''),
    ],
    notes: [
      `per image with count 1: ${statements}; D1 round trips ${single.d1RoundTrips}/image ` +
        `(count 20: ${batch.d1RoundTrips}); queue calls ${single.queueProducerCalls}/image (count 20: ${batch.queueProducerCalls})`,
      `waiting measured over one wait_for_completion of ${wait.seconds} s on a job held by the provider; ` +
        'the polls back off (50 ms × 1.4 up to 1 s), so short waits read more per second than long ones',
      'free plan per day: ' +
        Object.entries(plan.limits)
          .map(([k, v]) => `${k} ${Math.floor(v).toLocaleString('en-US')}`)
          .join(', ') +
        `; with a 10 s wait per image, D1 reads allow ${plan.d1ReadsWithWait.toLocaleString('en-US')}. ` +
        'Image views add one R2 class B read each. Rows are as local D1 reports them, index entries included, as ' +
        "D1 bills them: the jobs table's three indexes make each INSERT and status UPDATE write several rows",
    ],
    details: { single, batch, wait, freePlan: plan, allowances: FREE },
  };
}
