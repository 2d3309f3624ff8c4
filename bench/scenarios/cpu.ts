/**
 * Scenario 7: CPU time per invocation, by path, against the Workers Free plan's 10 ms per invocation (HTTP
 * request, queue batch, cron). Each path runs many times in a row while the Worker's runtime process is
 * metered (bench/cpu.ts): the figure is the process CPU per invocation, less its idle rate, an upper bound of
 * the Worker's own CPU time because the local D1 and Queues simulators run in the same process (R2 and
 * Cloudflare Images run in the storage host, bench/storage-host.ts, unless the run says --storage=local).
 */
import { noisyPng } from '../../test/fakes/png.ts';
import { type CpuMeter, cpuMeter, workerProcess } from '../cpu.ts';
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

/** What every group of paths below measures with: the meter, the run length and where figures go. */
interface Run {
  ctx: BenchContext;
  client: BenchContext['client'];
  meter: CpuMeter;
  /** Invocations per quick path. */
  n: number;
  details: Record<string, number>;
  figures: Figure[];
  record: (name: string, cpuMs: number, target?: boolean) => void;
  /** CPU ms per invocation of a path. */
  per: (path: Path) => Promise<number>;
  /** CPU ms of one bench-only request that repeats something `count` times, per repetition, less /health. */
  reference: (count: number, request: () => Promise<unknown>) => Promise<number>;
}

/** The MCP requests against /health, and one D1 round trip for reference. */
async function requestPaths(run: Run, jobId: string): Promise<void> {
  const { client, n } = run;
  const paths: Path[] = [
    { name: 'GET /health', count: n, run: () => times(n, () => get(`${client.url}/health`)) },
    { name: 'tools/list', count: n, run: () => times(n, () => client.rpc('tools/list', {})) },
    {
      name: 'get_job_status',
      count: n,
      run: () => times(n, () => client.callTool('get_job_status', { job_id: jobId })),
    },
  ];
  // Warm each path (JIT, lazy imports, the isolate's schema caches), as a live isolate would be.
  for (const path of paths) await path.run();
  for (const path of paths) run.record(`${path.name} CPU`, await run.per(path), path.name !== 'GET /health');

  // One D1 round trip, within a single request: the simulator's share of any path that queries D1.
  const pings = run.ctx.quick ? 5 : 200;
  const d1Ms = await run.reference(pings, () => get(`${client.url}/__bench/d1-ping?count=${pings}`));
  run.ctx.log(`  one D1 round trip: ${round(d1Ms, 2)} ms CPU`);
  run.record('one D1 round trip (SELECT 1), for reference', d1Ms, false);
}

/** generate_image alone, then a 5 s wait on a running job; returns generate_image's CPU per call. */
async function generateAndWait(run: Run): Promise<number> {
  const { client, ctx } = run;
  // The placeholder sleeps before it draws, so the consumer is idle meanwhile. Ten messages are one queue batch,
  // all of it asleep until the wait below has been measured.
  await client.setVars({ PLACEHOLDER_DELAY_MS: '9000' });
  const acked = (await client.counters()).origins.queue.consumer.acks;
  const held: string[] = [];
  const generations = ctx.quick ? 2 : 9;
  const generate = async () => {
    const queued = await client.callTool<{ job_ids: string[] }>('generate_image', { prompt: 'held', ...SMALL_IMAGE });
    held.push(...queued.job_ids);
  };
  await generate();
  const generateMs = await run.per({
    name: 'generate_image',
    count: generations,
    run: () => times(generations, generate),
  });
  run.record('generate_image CPU', generateMs);

  // The whole invocation of a wait (its polls add up).
  const waits = ctx.quick ? 1 : 4;
  const wait = () => client.callTool('wait_for_completion', { job_id: held[0], timeout_seconds: 5 });
  const statementsBefore = (await client.counters()).origins.fetch.d1.statements;
  const waitMs = await run.per({
    name: 'wait_for_completion, 5 s',
    count: waits,
    run: () => Promise.all(Array.from({ length: waits }, wait)),
  });
  const polls = ((await client.counters()).origins.fetch.d1.statements - statementsBefore) / waits;
  ctx.log(`  wait_for_completion, 5 s: ${round(polls, 1)} D1 statements per wait`);
  run.details['wait D1 statements'] = polls;
  run.record('wait_for_completion (5 s of polls) CPU', waitMs);
  await untilAcked(ctx, acked + held.length, (await client.counters()).isolate);
  await client.setVars({ PLACEHOLDER_DELAY_MS: '0' });
  return generateMs;
}

/** CPU per image from `images` generate_image calls with `args` to their last ack, less the calls' own CPU. */
async function consumerPerImage(run: Run, args: Record<string, unknown>, images: number, callMs: number) {
  const { client, ctx } = run;
  const before = (await client.counters()).origins.queue.consumer.acks;
  const { cpuMs } = await run.meter.during(async () => {
    await times(images, () => client.callTool('generate_image', args));
    await untilAcked(ctx, before + images, (await client.counters()).isolate);
  });
  return cpuMs / images - callMs;
}

/**
 * The queue consumer per image: the placeholder at its default size and at 256², then each provider's answer
 * from the local fakes of their APIs (FAKE:noisy: a PNG of noise, as many bytes as a real 1024² image) and the
 * bench build's fake AI binding (decoding the answer, sniffing it, storing it). Paid providers are allowed.
 */
async function consumers(run: Run, generateMs: number): Promise<void> {
  const { client, ctx } = run;
  for (const size of [1024, 256]) {
    const args = { prompt: 'consumer', provider: 'placeholder', width: size, height: size };
    const perImage = await consumerPerImage(run, args, ctx.quick ? 2 : 10, generateMs);
    ctx.log(`  consumer, placeholder ${size}²: ${round(perImage, 2)} ms CPU per image`);
    run.record(`queue consumer, placeholder ${size}² CPU per image`, perImage);
  }

  // One R2 put (and delete) of such an image, for reference: sending it to the storage host (or, with
  // --storage=local, the local R2 simulator hashing and writing it in this process).
  const noisy = new Uint8Array(noisyPng(1024, 1024));
  const kib = Math.round(noisy.length / 1024);
  const puts = ctx.quick ? 1 : 5;
  const r2Ms = await run.reference(puts, () =>
    fetch(`${client.url}/__bench/r2-put?count=${puts}`, { method: 'POST', body: noisy }),
  );
  ctx.log(`  one R2 put of a ${kib} KiB image: ${round(r2Ms, 2)} ms CPU`);
  run.record(`one R2 put of a ${kib} KiB PNG, for reference`, r2Ms, false);

  await client.setAiImage(noisy);
  const shapes = [
    { name: 'Workers AI, base64 in JSON (FLUX.1 schnell)', provider: 'workers-ai', model: 'flux-schnell' },
    { name: 'Workers AI, binary stream (SDXL Lightning)', provider: 'workers-ai', model: 'sdxl-lightning' },
    { name: 'OpenAI', provider: 'openai' },
    { name: 'Gemini', provider: 'gemini' },
    { name: 'SD WebUI', provider: 'sd-webui' },
  ];
  for (const shape of shapes) {
    const args = {
      prompt: 'consumer FAKE:noisy',
      provider: shape.provider,
      ...(shape.model && { model: shape.model }),
      width: 1024,
      height: 1024,
      allow_paid: true,
    };
    // One untimed first: the provider's SDK is imported on first use.
    await consumerPerImage(run, args, 1, 0);
    const perImage = await consumerPerImage(run, args, ctx.quick ? 1 : 5, generateMs);
    ctx.log(`  consumer, ${shape.name}: ${round(perImage, 2)} ms CPU per 1024² image`);
    run.record(`queue consumer, ${shape.name}, CPU per 1024² image`, perImage);
  }
}

/** Transforms of a finished 256² image (a variant not made before, then one again), show_image, the gallery. */
async function imagePaths(run: Run, jobId: string): Promise<void> {
  const { client, n } = run;
  // The signed URLs are minted first, so that the metered runs are the image requests alone.
  const transformRuns = run.ctx.quick ? 2 : 20;
  await client.forgetVariants(jobId);
  const fresh = await Promise.all(
    Array.from({ length: transformRuns }, (_, i) => client.variantUrl(jobId, { width: 64 + i, format: 'jpeg' })),
  );
  const first = (i: number) => get(fresh[i]!, 'image/jpeg');
  const cachedUrl = await client.variantUrl(jobId, { width: 48, format: 'jpeg' });
  await get(cachedUrl);
  run.record(
    'transform, first CPU',
    await run.per({ name: 'transform, first', count: transformRuns, run: () => times(transformRuns, first) }),
  );
  run.record(
    'transform, cached CPU',
    await run.per({ name: 'transform, cached', count: n, run: () => times(n, () => get(cachedUrl)) }),
  );
  const show = () => client.callTool('show_image', { image_id: jobId });
  await show();
  run.record('show_image CPU', await run.per({ name: 'show_image', count: n, run: () => times(n, show) }));
  const { url: galleryUrl } = await client.callTool<{ url: string }>('gallery_link', {});
  await get(galleryUrl, 'text/html');
  run.record(
    'gallery page CPU',
    await run.per({ name: 'gallery page', count: n, run: () => times(n, () => get(galleryUrl, 'text/html')) }),
  );
}

/**
 * Idle legacy SSE streams: one stream is one invocation for as long as it stays open, so its CPU adds up. Then,
 * on one of them, how long a POST waits for its answer after the idle spell (the loop sleeps until woken).
 */
async function idleSse(run: Run): Promise<void> {
  const streams = run.ctx.quick ? 1 : 4;
  const seconds = run.ctx.quick ? 2 : 10;
  const controllers = Array.from({ length: streams }, () => new AbortController());
  const opened = await Promise.all(
    controllers.map((c) =>
      fetch(`${run.client.url}/sse`, { signal: c.signal, headers: { Accept: 'text/event-stream' } }),
    ),
  );
  const received = opened.map(() => '');
  const draining = opened.map(async (response, i) => {
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      received[i] = `${received[i]}${value ?? ''}`;
    }
  });
  await new Promise((r) => setTimeout(r, 1000));
  const { cpuMs } = await run.meter.during(() => new Promise((r) => setTimeout(r, seconds * 1000)));

  const endpoint = /event: endpoint\ndata: (\S+)/.exec(received[0]!)?.[1];
  if (!endpoint) throw new Error('the SSE stream announced no endpoint');
  const started = performance.now();
  const posted = await fetch(`${run.client.url}${endpoint}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 'idle-ping', method: 'ping' }),
  });
  if (posted.status !== 202) throw new Error(`POST to the SSE session: HTTP ${posted.status}`);
  while (!received[0]!.includes('"id":"idle-ping"')) await new Promise((r) => setTimeout(r, 1));
  const answerMs = performance.now() - started;
  for (const c of controllers) c.abort();
  await Promise.all(draining);
  // Per 20 s of an idle stream (the former keep-alive interval; it is 2 s now, see src/sse/session.ts).
  const perInterval = (cpuMs / streams / seconds) * 20;
  run.ctx.log(`  idle SSE stream: ${round(perInterval, 2)} ms CPU per 20 s keep-alive interval`);
  run.record('SSE stream, idle, per 20 s keep-alive CPU', perInterval);
  run.ctx.log(`  SSE answer after ${seconds} s idle: ${round(answerMs, 1)} ms`);
  run.details['SSE answer after an idle spell, ms'] = answerMs;
  run.figures.push(figure(`SSE: a ping's answer on a stream idle for ${seconds} s (wall)`, round(answerMs), 'ms'));
}

export async function cpuPerInvocation(ctx: BenchContext): Promise<ScenarioResult> {
  const { client } = ctx;
  const n = ctx.quick ? 3 : 40;
  const meter = await cpuMeter(workerProcess(ctx.server.persistDir), ctx.quick ? 500 : 2000);
  const figures: Figure[] = [];
  const details: Record<string, number> = {};
  const run: Run = {
    ctx,
    client,
    meter,
    n,
    details,
    figures,
    record: (name, cpuMs, target = true) => {
      details[name] = cpuMs;
      figures.push(figure(name, round(cpuMs, 2), 'ms', target ? { op: '<=', value: FREE_PLAN_MS } : undefined));
    },
    per: async (path) => {
      const { cpuMs } = await meter.during(path.run);
      ctx.log(`  ${path.name}: ${round(cpuMs / path.count, 2)} ms CPU per invocation (${path.count} runs)`);
      return cpuMs / path.count;
    },
    reference: async (count, request) => {
      await request();
      const { cpuMs } = await meter.during(request);
      return Math.max(0, cpuMs - details['GET /health CPU']!) / count;
    },
  };

  await client.setVars({ PLACEHOLDER_DELAY_MS: '0' });
  const done = await client.callTool<{ job_ids: string[] }>('generate_image_and_wait', {
    prompt: 'cpu',
    ...SMALL_IMAGE,
  });
  const jobId = done.job_ids[0]!;
  await requestPaths(run, jobId);
  const generateMs = await generateAndWait(run);
  await consumers(run, generateMs);
  await imagePaths(run, jobId);
  await idleSse(run);

  return {
    id: 7,
    title: 'CPU per invocation',
    status: 'ok',
    figures,
    notes: [
      `CPU of the Worker's workerd process (per-thread schedstat) over ${n} identical invocations in a row, ` +
        'less its idle rate: an upper bound, since the local D1 and Queues simulators run in that process ' +
        `(${ctx.storageApart ? 'R2 and Images in the storage host, another process' : 'and R2 and Images too: --storage=local'}); ` +
        "target: the Free plan's 10 ms per invocation",
    ],
    details,
  };
}
