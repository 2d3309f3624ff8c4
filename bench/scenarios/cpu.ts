/**
 * Scenario 7: CPU time per invocation, by path, against the Workers Free plan's 10 ms per invocation (HTTP
 * request, queue batch, cron). Each path runs many times in a row while the Worker's runtime process is
 * metered (bench/cpu.ts): the figure is the process CPU per invocation, less its idle rate, an upper bound of
 * the Worker's own CPU time because the local D1, R2 and Queues simulators run in the same process.
 */
import { noisyPng } from '../../test/fakes/png.ts';
import { cpuMeter, workerProcess } from '../cpu.ts';
import { type Figure, figure, type ScenarioResult } from '../report.ts';
import { round } from '../stats.ts';
import { type BenchContext, SMALL_IMAGE, untilAcked } from './context.ts';

/** developers.cloudflare.com/workers/platform/limits/#cpu-time: 10 ms per invocation on the Free plan. */
const FREE_PLAN_MS = 10;

interface Path {
  name: string;
  /** How many invocations one run makes (each run is metered as a whole). */
  count: number;
  run: () => Promise<unknown>;
}

async function get(url: string, expectType?: string): Promise<void> {
  const response = await fetch(url);
  const body = await response.arrayBuffer();
  if (!response.ok || (expectType && !response.headers.get('content-type')?.startsWith(expectType)))
    throw new Error(`GET ${url}: HTTP ${response.status}, ${body.byteLength} bytes`);
}

async function times(count: number, once: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < count; i++) await once(i);
}

export async function cpuPerInvocation(ctx: BenchContext): Promise<ScenarioResult> {
  const { client } = ctx;
  const n = ctx.quick ? 3 : 40;
  const meter = await cpuMeter(workerProcess(ctx.server.persistDir), ctx.quick ? 500 : 2000);
  const figures: Figure[] = [];
  const details: Record<string, number> = {};
  const record = (name: string, cpuMs: number, target = true) => {
    details[name] = cpuMs;
    figures.push(figure(name, round(cpuMs, 2), 'ms', target ? { op: '<=', value: FREE_PLAN_MS } : undefined));
  };
  const per = async (path: Path) => {
    const { cpuMs } = await meter.during(path.run);
    ctx.log(`  ${path.name}: ${round(cpuMs / path.count, 2)} ms CPU per invocation (${path.count} runs)`);
    return cpuMs / path.count;
  };

  await client.setVars({ PLACEHOLDER_DELAY_MS: '0' });
  const done = await client.callTool<{ job_ids: string[] }>('generate_image_and_wait', {
    prompt: 'cpu',
    ...SMALL_IMAGE,
  });
  const jobId = done.job_ids[0]!;
  const mcp: Path[] = [
    { name: 'GET /health', count: n, run: () => times(n, () => get(`${client.url}/health`)) },
    { name: 'tools/list', count: n, run: () => times(n, () => client.rpc('tools/list', {})) },
    {
      name: 'get_job_status',
      count: n,
      run: () => times(n, () => client.callTool('get_job_status', { job_id: jobId })),
    },
  ];
  // Warm each path (JIT, lazy imports, the isolate's schema caches), as a live isolate would be.
  for (const path of mcp) await path.run();
  for (const path of mcp) record(`${path.name} CPU`, await per(path), path.name !== 'GET /health');

  // One D1 round trip, within a single request: the simulator's share of any path that queries D1.
  const pings = ctx.quick ? 5 : 200;
  await get(`${client.url}/__bench/d1-ping?count=${pings}`);
  const { cpuMs: pingMs } = await meter.during(() => get(`${client.url}/__bench/d1-ping?count=${pings}`));
  const d1Ms = Math.max(0, pingMs - details['GET /health CPU']!) / pings;
  ctx.log(`  one D1 round trip: ${round(d1Ms, 2)} ms CPU`);
  record('one D1 round trip (SELECT 1), for reference', d1Ms, false);

  // generate_image alone: the placeholder then sleeps before it draws, so the consumer is idle meanwhile. Ten
  // messages are one queue batch, all of it asleep until the wait below has been measured.
  await client.setVars({ PLACEHOLDER_DELAY_MS: '9000' });
  const acked = (await client.counters()).origins.queue.consumer.acks;
  const held: string[] = [];
  const generations = ctx.quick ? 2 : 9;
  const generate = async () => {
    const queued = await client.callTool<{ job_ids: string[] }>('generate_image', { prompt: 'held', ...SMALL_IMAGE });
    held.push(...queued.job_ids);
  };
  await generate();
  const generateMs = await per({ name: 'generate_image', count: generations, run: () => times(generations, generate) });
  record('generate_image CPU', generateMs);

  // A wait on a job that is still running: the whole invocation (its polls add up), for a 5 s wait.
  const waits = ctx.quick ? 1 : 4;
  const wait = () => client.callTool('wait_for_completion', { job_id: held[0], timeout_seconds: 5 });
  const statementsBefore = (await client.counters()).origins.fetch.d1.statements;
  const waitMs = await per({
    name: 'wait_for_completion, 5 s',
    count: waits,
    run: () => Promise.all(Array.from({ length: waits }, wait)),
  });
  const polls = ((await client.counters()).origins.fetch.d1.statements - statementsBefore) / waits;
  ctx.log(`  wait_for_completion, 5 s: ${round(polls, 1)} D1 statements per wait`);
  details['wait D1 statements'] = polls;
  record('wait_for_completion (5 s of polls) CPU', waitMs);
  await untilAcked(ctx, acked + held.length, (await client.counters()).isolate);

  // The queue consumer, per image, for the placeholder at the default size and at 256²: generate_image's own
  // CPU (measured above) is taken off.
  await client.setVars({ PLACEHOLDER_DELAY_MS: '0' });
  for (const size of [1024, 256]) {
    const images = ctx.quick ? 2 : 10;
    const before = (await client.counters()).origins.queue.consumer.acks;
    const { cpuMs } = await meter.during(async () => {
      await times(images, () =>
        client.callTool('generate_image', { prompt: 'consumer', provider: 'placeholder', width: size, height: size }),
      );
      await untilAcked(ctx, before + images, (await client.counters()).isolate);
    });
    const perImage = cpuMs / images - generateMs;
    ctx.log(`  consumer, placeholder ${size}²: ${round(perImage, 2)} ms CPU per image`);
    record(`queue consumer, placeholder ${size}² CPU per image`, perImage);
  }

  // The consumer per image for each provider's answer, from the local fakes of their APIs (FAKE:noisy: a PNG
  // of noise, as many bytes as a real 1024² image) and the bench build's fake AI binding: decoding the answer,
  // sniffing it, storing it. Paid providers are allowed per call.
  const shapes = [
    { name: 'Workers AI, base64 in JSON (FLUX.1 schnell)', provider: 'workers-ai', model: 'flux-schnell' },
    { name: 'Workers AI, binary stream (SDXL Lightning)', provider: 'workers-ai', model: 'sdxl-lightning' },
    { name: 'OpenAI', provider: 'openai' },
    { name: 'Gemini', provider: 'gemini' },
    { name: 'SD WebUI', provider: 'sd-webui' },
  ];
  // One R2 put (and delete) of such an image, for reference: the local R2 simulator hashes and writes it in
  // this process, which on Cloudflare is R2's work, not the Worker's.
  const noisy = new Uint8Array(noisyPng(1024, 1024));
  const puts = ctx.quick ? 1 : 5;
  const putOnce = () => fetch(`${client.url}/__bench/r2-put?count=${puts}`, { method: 'POST', body: noisy });
  await putOnce();
  const { cpuMs: putMs } = await meter.during(putOnce);
  const r2Ms = Math.max(0, putMs - details['GET /health CPU']!) / puts;
  ctx.log(`  one R2 put of a ${Math.round(noisy.length / 1024)} KiB image: ${round(r2Ms, 2)} ms CPU`);
  record(`one R2 put of a ${Math.round(noisy.length / 1024)} KiB PNG, for reference`, r2Ms, false);
  await client.setAiImage(noisy);
  for (const shape of shapes) {
    const images = ctx.quick ? 1 : 5;
    const args = {
      prompt: 'consumer FAKE:noisy',
      provider: shape.provider,
      ...(shape.model && { model: shape.model }),
      width: 1024,
      height: 1024,
      allow_paid: true,
    };
    // One untimed first: the provider's SDK is imported on first use.
    const warm = (await client.counters()).origins.queue.consumer.acks;
    await client.callTool('generate_image', args);
    await untilAcked(ctx, warm + 1, (await client.counters()).isolate);
    const before = (await client.counters()).origins.queue.consumer.acks;
    const { cpuMs } = await meter.during(async () => {
      await times(images, () => client.callTool('generate_image', args));
      await untilAcked(ctx, before + images, (await client.counters()).isolate);
    });
    const perImage = cpuMs / images - generateMs;
    ctx.log(`  consumer, ${shape.name}: ${round(perImage, 2)} ms CPU per 1024² image`);
    record(`queue consumer, ${shape.name}, CPU per 1024² image`, perImage);
  }

  // Transforms of a finished 256² image: a variant not made before each time (photon), then one again (R2).
  // The signed URLs are minted first, so that the metered runs are the image requests alone.
  const transformRuns = ctx.quick ? 2 : 20;
  await client.forgetVariants(jobId);
  const fresh = await Promise.all(
    Array.from({ length: transformRuns }, (_, i) => client.variantUrl(jobId, { width: 64 + i, format: 'jpeg' })),
  );
  const first = (i: number) => get(fresh[i]!, 'image/jpeg');
  const cachedUrl = await client.variantUrl(jobId, { width: 48, format: 'jpeg' });
  await get(cachedUrl);
  record(
    'transform, first CPU',
    await per({ name: 'transform, first', count: transformRuns, run: () => times(transformRuns, first) }),
  );
  record(
    'transform, cached CPU',
    await per({ name: 'transform, cached', count: n, run: () => times(n, () => get(cachedUrl)) }),
  );
  const show = () => client.callTool('show_image', { image_id: jobId });
  await show();
  record('show_image CPU', await per({ name: 'show_image', count: n, run: () => times(n, show) }));
  const { url: galleryUrl } = await client.callTool<{ url: string }>('gallery_link', {});
  await get(galleryUrl, 'text/html');
  record(
    'gallery page CPU',
    await per({ name: 'gallery page', count: n, run: () => times(n, () => get(galleryUrl, 'text/html')) }),
  );

  // Idle legacy SSE streams: one stream is one invocation for as long as it stays open, so its CPU adds up
  // between keep-alives (every 20 s).
  const streams = ctx.quick ? 1 : 4;
  const seconds = ctx.quick ? 2 : 10;
  const controllers = Array.from({ length: streams }, () => new AbortController());
  const opened = await Promise.all(
    controllers.map((c) => fetch(`${client.url}/sse`, { signal: c.signal, headers: { Accept: 'text/event-stream' } })),
  );
  const readers = opened.map((r) => r.body!.getReader());
  const draining = readers.map(async (reader) => {
    for (;;) if ((await reader.read().catch(() => ({ done: true }))).done) return;
  });
  await new Promise((r) => setTimeout(r, 1000));
  const { cpuMs: sseMs } = await meter.during(() => new Promise((r) => setTimeout(r, seconds * 1000)));
  for (const c of controllers) c.abort();
  await Promise.all(draining);
  const perTick = (sseMs / streams / seconds) * 20;
  ctx.log(`  idle SSE stream: ${round(perTick, 2)} ms CPU per 20 s keep-alive interval`);
  record('SSE stream, idle, per 20 s keep-alive CPU', perTick);

  return {
    id: 7,
    title: 'CPU per invocation',
    status: 'ok',
    figures,
    notes: [
      `CPU of the Worker's workerd process (per-thread schedstat) over ${n} identical invocations in a row, ` +
        'less its idle rate: an upper bound, since the local D1, R2 and Queues simulators run in that process; ' +
        "target: the Free plan's 10 ms per invocation",
    ],
    details,
  };
}
