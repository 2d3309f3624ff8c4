/**
 * The bench build: the real Worker, with its D1, R2 and Queue bindings wrapped in counting proxies, plus
 * /__bench routes to read and reset the counts. Run as `wrangler dev --local bench/worker.ts`, so the
 * production entry and code stay untouched. The counts live in isolate memory: wrangler dev runs one isolate.
 */
import { loadConfig } from '../src/config';
import { signingSecret } from '../src/images/signing';
import { OriginalUpload, originalKey } from '../src/images/storage';
import { parseTransformParams } from '../src/images/transform-plan';
import { variantUrl } from '../src/images/urls';
import worker from '../src/index';
import { encodeBase64 } from '../src/providers/sniff';
import { type CountersSnapshot, emptyTally, ORIGINS, type Origin, type Tally } from './counters';
import { CountingD1 } from './worker/d1';
import { CountingQueue, countingBatch } from './worker/queues';
import { countingR2 } from './worker/r2';
import { remoteImages, remoteR2 } from './worker/remote-storage';

/** The real Worker seen through the platform's handler types, so every argument is passed on. */
const real: Required<Pick<ExportedHandler<Env, unknown>, 'fetch' | 'queue' | 'scheduled'>> = worker;

const tallies: Record<Origin, Tally> = { fetch: emptyTally(), queue: emptyTally(), scheduled: emptyTally() };
let isolate: string | undefined;
/**
 * Workers AI has no local simulation, so the bench build gives the Worker a fake AI binding that answers in
 * the models' own shapes — base64 in JSON for FLUX.1 schnell, a binary stream for the SDXL models — with an
 * image the harness posts (POST /__bench/ai-image), encoded once when posted so answering costs nothing.
 */
let aiImage: { bytes: Uint8Array; base64: string } | undefined;
const FAKE_AI_MODELS = ['@cf/black-forest-labs/flux-1-schnell', '@cf/bytedance/stable-diffusion-xl-lightning'];
const fakeAi = {
  async run(model: string) {
    if (!aiImage) throw new Error('the bench has not posted an image for the fake AI binding');
    if (!FAKE_AI_MODELS.includes(model)) throw new Error(`AiError: No such model ${model} or task`);
    if (model.includes('flux-1-schnell')) return { image: aiImage.base64 };
    const { bytes } = aiImage;
    return new ReadableStream({
      start(controller) {
        controller.enqueue(bytes);
        controller.close();
      },
    });
  },
  async models() {
    return FAKE_AI_MODELS.map((name) => ({ name }));
  },
};

/** Variables the harness sets at run time (e.g. PLACEHOLDER_DELAY_MS), so one server serves every scenario. */
let overrides: Record<string, string> = {};

interface Instrumented {
  raw: Env;
  overrides: Record<string, string>;
  env: Env;
}
const envs = new Map<Origin, Instrumented>();

// One env object per entry point, reused while the real env and the overrides stay the same: the Worker
// caches its parsed config and signing key by object identity, as it does in production.
function instrumentedEnv(raw: Env, origin: Origin): Env {
  const cached = envs.get(origin);
  if (cached && cached.raw === raw && cached.overrides === overrides) return cached.env;
  const tally = () => tallies[origin];
  const bindings =
    cached?.raw === raw
      ? { DB: cached.env.DB, IMAGES: cached.env.IMAGES, JOBS: cached.env.JOBS }
      : {
          DB: new CountingD1(raw.DB, tally),
          IMAGES: countingR2(raw.IMAGES, tally),
          JOBS: new CountingQueue(raw.JOBS, tally),
        };
  const env: Env = { ...raw, ...overrides, ...bindings, AI: fakeAi as unknown as Env['AI'] };
  envs.set(origin, { raw, overrides, env });
  return env;
}

function snapshot(): CountersSnapshot {
  isolate ??= crypto.randomUUID();
  return { isolate, origins: tallies };
}

/** Bytes held between POST /__bench/hold and POST /__bench/store-held. */
let held: Uint8Array | undefined;

async function benchRoute(request: Request, env: Env): Promise<Response> {
  const { pathname, searchParams } = new URL(request.url);
  const route = `${request.method} ${pathname}`;
  if (route === 'GET /__bench/counters') return Response.json(snapshot());
  if (route === 'POST /__bench/reset') {
    for (const origin of ORIGINS) tallies[origin] = emptyTally();
    return Response.json(snapshot());
  }
  if (route === 'POST /__bench/vars') {
    const vars = (await request.json()) as Record<string, unknown>;
    overrides = { ...overrides, ...Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, String(v)])) };
    return Response.json(overrides);
  }
  if (route === 'POST /__bench/ai-image') {
    const bytes = new Uint8Array(await request.arrayBuffer());
    aiImage = { bytes, base64: encodeBase64(bytes) };
    return Response.json({ bytes: bytes.length });
  }
  if (route === 'POST /__bench/r2-put') {
    // Puts of the posted body on the real binding, deleted again: the simulator's share of storing an image.
    const body = new Uint8Array(await request.arrayBuffer());
    const count = Number(searchParams.get('count') ?? '1');
    for (let i = 0; i < count; i++) await env.IMAGES.put(`__bench/r2-put-${i}`, body);
    for (let i = 0; i < count; i++) await env.IMAGES.delete(`__bench/r2-put-${i}`);
    return Response.json({ count, bytes: body.length });
  }
  if (route === 'GET /__bench/d1-ping') {
    // Sequential trivial queries on the real binding: what one D1 round trip costs the process here, most of
    // it the local simulator's, for scenario 7 to set beside the paths that query D1.
    const count = Number(searchParams.get('count') ?? '1');
    for (let i = 0; i < count; i++) await env.DB.prepare('SELECT 1 AS one').first();
    return Response.json({ count });
  }
  if (route === 'GET /__bench/r2-keys') {
    // Straight from the real binding, so checking the bucket does not add to the counts.
    const keys: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await env.IMAGES.list({ prefix: searchParams.get('prefix') ?? '', cursor });
      keys.push(...page.objects.map((o) => o.key));
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
    return Response.json({ keys });
  }
  if (route === 'GET /__bench/variant-url') {
    // A signed link to a variant, as the Worker would mint one: the harness cannot sign without the key.
    const { id = '', content_type = 'image/png', ...query } = Object.fromEntries(searchParams);
    const config = loadConfig(env);
    const urls = {
      baseUrl: new URL(request.url).origin,
      config,
      secret: await signingSecret(env.DB, config),
      nowSeconds: Math.floor(Date.now() / 1000),
    };
    return Response.json({ url: await variantUrl(urls, id, content_type, parseTransformParams(query)) });
  }
  if (route === 'POST /__bench/original') {
    // Replaces a finished job's original with the posted PNG of the stated size, straight on the real bindings:
    // scenario 8 needs sources of sizes no free provider makes, stored without decoding them. The body streams
    // into R2 (its length is known) rather than being read into the isolate's heap first.
    const id = searchParams.get('id') ?? '';
    const width = Number(searchParams.get('width'));
    const height = Number(searchParams.get('height'));
    const existing = await env.IMAGES.head(originalKey(id));
    if (!existing || !request.body) return Response.json({ error: `no original for ${id}` }, { status: 404 });
    const stored = await env.IMAGES.put(originalKey(id), request.body, {
      httpMetadata: { contentType: 'image/png' },
      customMetadata: { ...existing.customMetadata, width: String(width), height: String(height) },
    });
    await env.DB.prepare(
      "UPDATE jobs SET width = ?, height = ?, image_bytes = ?, content_type = 'image/png' WHERE id = ?",
    )
      .bind(width, height, stored.size, id)
      .run();
    return Response.json({ id, width, height, bytes: stored.size });
  }
  if (route === 'POST /__bench/hold') {
    // Image bytes left in the isolate for POST /__bench/store-held, which scenario 8 measures alone: what every
    // queue consumer does last, storing the image it holds (locally, R2's simulation runs in the same process).
    held = new Uint8Array(await request.arrayBuffer());
    return Response.json({ bytes: held.length });
  }
  if (route === 'POST /__bench/store-held') {
    if (!held) return Response.json({ error: 'nothing held' }, { status: 409 });
    const id = `__bench-held-${crypto.randomUUID()}`;
    if (searchParams.get('parts') === null) {
      const stored = await env.IMAGES.put(id, held, { httpMetadata: { contentType: 'image/png' } });
      return Response.json({ bytes: stored.size });
    }
    // As a streamed provider answer is stored: whole parts while two or more remain, then the rest.
    const upload = new OriginalUpload(env.IMAGES, id, {
      subject: 'bench',
      prompt: '',
      provider: '',
      model: '',
      seed: null,
    });
    let at = 0;
    while (held.length - at >= 2 * upload.partBytes) {
      await upload.write(held.subarray(at, at + upload.partBytes));
      at += upload.partBytes;
    }
    const stored = at > 0 ? await upload.finish(held.subarray(at)) : await env.IMAGES.put(id, held);
    return Response.json({ bytes: stored?.size });
  }
  if (route === 'POST /__bench/forget-variants') {
    // Straight from the real binding, so that the next request for a variant computes it afresh, uncounted.
    const prefix = `variants/${searchParams.get('id') ?? ''}/`;
    const page = await env.IMAGES.list({ prefix });
    if (page.objects.length > 0) await env.IMAGES.delete(page.objects.map((o) => o.key));
    return Response.json({ deleted: page.objects.length });
  }
  return Response.json({ error: `no bench route ${route}` }, { status: 404 });
}

/**
 * With BENCH_STORAGE_URL set, R2 and Cloudflare Images are the storage host's (bench/storage-host.ts), in
 * another process: one env per real env, so the Worker's caches keyed by env identity keep working.
 */
const withStorage = new WeakMap<Env, Env>();
function storageOf(env: Env): Env {
  const url = (env as unknown as Record<string, unknown>).BENCH_STORAGE_URL;
  if (typeof url !== 'string' || url === '') return env;
  let remote = withStorage.get(env);
  if (!remote) {
    remote = { ...env, IMAGES: remoteR2(url), IMAGE_TRANSFORMS: remoteImages(url) };
    withStorage.set(env, remote);
  }
  return remote;
}

export default {
  fetch(request, raw, ctx) {
    const env = storageOf(raw);
    if (new URL(request.url).pathname.startsWith('/__bench/')) return benchRoute(request, env);
    return real.fetch(request, instrumentedEnv(env, 'fetch'), ctx);
  },

  queue(batch, raw, ctx) {
    const env = storageOf(raw);
    return real.queue(
      countingBatch(batch, () => tallies.queue),
      instrumentedEnv(env, 'queue'),
      ctx,
    );
  },

  scheduled(controller, raw, ctx) {
    return real.scheduled(controller, instrumentedEnv(storageOf(raw), 'scheduled'), ctx);
  },
} satisfies ExportedHandler<Env, unknown>;
