/**
 * Scenario 8's image paths. Each readies a fresh server for one operation at side² pixels (a stored source, a
 * signed URL, a first request, the fake AI binding's answer), after running the same operation once on a small
 * image, so that code, provider SDKs and photon's WASM instance are loaded and the figure is what the size adds. The operation reports whether the server did the work or refused it; a size that no provider (or not
 * this server's catalogue) makes is n/a with the reason, rather than faked.
 */
import { noisyPng, tinyPng } from '../../test/fakes/png.ts';
import type { BenchClient, WaitResult } from '../client.ts';
import { maskPng, photoPng } from '../images.ts';

export type Outcome = { outcome: 'ok' } | { outcome: 'refused' | 'failed'; message: string };

export interface MemoryPath {
  name: string;
  /** One of the few paths quick mode (CI) runs. */
  quick?: boolean;
  /** Why side² cannot be measured on this path, if it cannot. */
  unavailable?: (side: number) => string | undefined;
  /** Readies a fresh server; resolves to the one operation to measure. */
  prepare: (client: BenchClient, side: number) => Promise<() => Promise<Outcome>>;
}

/** A refusal names the bound it applies ("decoded up to 16777216 pixels", "at most 26214400 bytes"). */
const BOUND = /\d+ ?(pixels|bytes|px|Mpx|MB)\b|too large/i;

function judged(message: string): Outcome {
  const line = message.split('\n')[0] ?? message;
  return { outcome: BOUND.test(line) ? 'refused' : 'failed', message: line };
}

/** GETs an image URL; a 413 is the server refusing to decode it. */
async function getImage(url: string, expect?: 'hit' | 'miss'): Promise<Outcome> {
  const response = await fetch(url);
  if (!response.ok) {
    const text = await response.text();
    let message = text;
    try {
      message = (JSON.parse(text) as { error: { message: string } }).error.message;
    } catch {
      // not the server's JSON error: keep the text
    }
    return response.status === 413 ? { outcome: 'refused', message } : judged(`HTTP ${response.status}: ${message}`);
  }
  await response.arrayBuffer();
  const transform = response.headers.get('x-transform');
  if (expect && transform !== expect) throw new Error(`${url}: X-Transform ${transform}, expected ${expect}`);
  return { outcome: 'ok' };
}

interface JobFields {
  status: string;
  width: number;
  height: number;
  error: string | null;
}

/** A tool call; a tool error, or a job that failed, is judged by its message. A finished job must be `side`². */
async function callTool(
  client: BenchClient,
  name: string,
  args: Record<string, unknown>,
  side?: number,
): Promise<Outcome> {
  const result = await client.rpc('tools/call', { name, arguments: args });
  if (result.isError) return judged(result.content?.[0]?.text ?? 'tool error');
  const job = (result.structuredContent as { jobs?: JobFields[] }).jobs?.[0];
  if (!job) return { outcome: 'ok' };
  if (job.status === 'failed') return judged(job.error ?? 'failed');
  if (job.status !== 'completed') return judged(`still ${job.status} after the wait`);
  // A catalogue that came to adapt the size would otherwise pass unnoticed.
  if (side !== undefined && (job.width !== side || job.height !== side))
    throw new Error(`${name}: asked for ${side}², made ${job.width}x${job.height}: update this path's sizes`);
  return { outcome: 'ok' };
}

/** A generation or edit, waited on to the end; include_preview off, since show_image is its own path. */
function waited(client: BenchClient, name: string, args: Record<string, unknown>, side?: number): Promise<Outcome> {
  const all = { ...args, allow_paid: true, include_preview: false, timeout_seconds: 50 };
  return callTool(client, name, all, side);
}

/** A finished 64² placeholder image: the id a stored source takes over, or a small image to warm up with. */
async function placeholderJob(client: BenchClient): Promise<string> {
  const done = await client.callTool<WaitResult>('generate_image_and_wait', {
    prompt: 'memory source',
    provider: 'placeholder',
    width: 64,
    height: 64,
    include_preview: false,
  });
  const job = done.jobs[0];
  if (job?.status !== 'completed') throw new Error(`placeholder source not generated: ${job?.status}`);
  return job.job_id;
}

async function storedImage(client: BenchClient, png: Uint8Array<ArrayBuffer>, side: number): Promise<string> {
  const id = await placeholderJob(client);
  await client.storeOriginal(id, png, side);
  return id;
}

/**
 * A path that works on stored images: `ready` makes the operation for a source (and mask) id. It runs once on a
 * 64² placeholder image first, then is readied on a side² photo-like source (and, with `mask`, a side² mask).
 */
function onStored(
  name: string,
  ready: (client: BenchClient, id: string, maskId: string) => Promise<() => Promise<Outcome>>,
  options: { quick?: boolean; mask?: boolean } = {},
): MemoryPath {
  return {
    name,
    quick: options.quick,
    async prepare(client, side) {
      const warm = await placeholderJob(client);
      await (await ready(client, warm, warm))();
      const id = await storedImage(client, await photoPng(side), side);
      const maskId = options.mask ? await storedImage(client, await maskPng(side), side) : id;
      return ready(client, id, maskId);
    },
  };
}

const TRANSFORM = { width: 512, format: 'jpeg' };

/** The first img src of a gallery page that points at image `id`, unescaped. */
function thumbnailOf(html: string, id: string): string {
  const src = new RegExp(`<img src="([^"]*/images/${id}\\.[^"]*)"`).exec(html)?.[1];
  if (!src) throw new Error(`the gallery page shows no thumbnail of ${id}`);
  return src.replaceAll('&amp;', '&');
}

const atMost = (max: number, why: string) => (side: number) => (side > max ? why : undefined);
const only1024 = (why: string) => (side: number) => (side !== 1024 ? why : undefined);

/**
 * A provider's answer taken in by the queue consumer: generate_image_and_wait for one side² image of noise
 * (FAKE:noisy; the fakes' worst case for bytes), after one flat 1024² image through the same provider.
 */
function providerOutput(
  name: string,
  args: Record<string, unknown>,
  unavailable?: (side: number) => string | undefined,
  quick = false,
): MemoryPath {
  const fakeAi = args.provider === 'workers-ai';
  return {
    name,
    quick,
    unavailable,
    async prepare(client, side) {
      if (fakeAi) await client.setAiImage(new Uint8Array(tinyPng(1024, 1024)));
      await waited(client, 'generate_image_and_wait', { ...args, prompt: 'memory warm-up', width: 1024, height: 1024 });
      if (fakeAi) await client.setAiImage(new Uint8Array(noisyPng(side, side)));
      const asked = { ...args, prompt: 'memory FAKE:noisy', width: side, height: side };
      return () => waited(client, 'generate_image_and_wait', asked, side);
    },
  };
}

/** edit_image through a provider, the source side² (the answer is the fake's flat image, so the upload dominates). */
function editUpload(name: string, provider: string): MemoryPath {
  return onStored(
    name,
    async (client, id) => () => waited(client, 'edit_image', { images: [id], prompt: 'memory edit', provider }),
  );
}

/**
 * Under every consumer path: storing a side² noise PNG (as the fakes answer) already in hand, in one put or as
 * a streamed answer's image over two parts is stored (a multipart upload).
 */
function storingHeld(name: string, inParts: boolean): MemoryPath {
  return {
    name,
    async prepare(client, side) {
      await client.hold(new Uint8Array(tinyPng(1024, 1024)));
      await client.storeHeld(inParts);
      await client.hold(new Uint8Array(noisyPng(side, side)));
      return async () => {
        await client.storeHeld(inParts);
        return { outcome: 'ok' };
      };
    },
  };
}

export const PATHS: MemoryPath[] = [
  onStored(
    'first transform',
    async (client, id) => {
      const url = await client.variantUrl(id, TRANSFORM);
      return () => getImage(url, 'miss');
    },
    { quick: true },
  ),
  onStored('cached transform', async (client, id) => {
    const url = await client.variantUrl(id, TRANSFORM);
    const first = await getImage(url, 'miss');
    return () => getImage(url, first.outcome === 'ok' ? 'hit' : undefined);
  }),
  onStored('show_image preview', async (client, id) => () => callTool(client, 'show_image', { image_id: id }), {
    quick: true,
  }),
  onStored('gallery thumbnail', async (client, id) => {
    const { url } = await client.callTool<{ url: string }>('gallery_link', {});
    const thumbnail = thumbnailOf(await (await fetch(url)).text(), id);
    return () => getImage(thumbnail, 'miss');
  }),
  {
    name: 'placeholder draw',
    quick: true,
    unavailable: (side) =>
      side * side > 2048 * 1024 ? 'the placeholder draws at most the decode bound, 2 Mpx (2048x1024)' : undefined,
    async prepare(client, side) {
      await placeholderJob(client);
      return () =>
        waited(
          client,
          'generate_image_and_wait',
          { prompt: 'memory draw', provider: 'placeholder', width: side, height: side },
          side,
        );
    },
  },
  onStored(
    'placeholder edit',
    async (client, id) => () =>
      waited(client, 'edit_image', { images: [id], prompt: 'memory edit', provider: 'placeholder' }),
  ),
  onStored(
    'mask preparation (placeholder edit with mask)',
    async (client, id, maskId) => () =>
      waited(client, 'edit_image', { images: [id], mask: maskId, prompt: 'memory edit', provider: 'placeholder' }),
    { mask: true },
  ),
  storingHeld('consumer floor: storing the image in R2', false),
  storingHeld('consumer floor: storing the image in R2 in 5 MiB parts', true),
  providerOutput(
    'Workers AI base64 JSON (FLUX.1 schnell)',
    { provider: 'workers-ai', model: 'flux-schnell' },
    only1024('FLUX.1 schnell makes 1024² only'),
    true,
  ),
  providerOutput(
    'Workers AI binary stream (SDXL Lightning)',
    { provider: 'workers-ai', model: 'sdxl-lightning' },
    atMost(2048, 'SDXL Lightning makes at most 2048 px a side'),
  ),
  providerOutput(
    'OpenAI b64_json',
    { provider: 'openai' },
    only1024(
      "the server offers OpenAI's sizes of about one megapixel only (its catalogue, src/providers/openai-models.ts)",
    ),
  ),
  // A requested size picks Gemini's imageSize (1K, 2K, 4K): 4K at 1:1 is 4096².
  providerOutput('Gemini inlineData', { provider: 'gemini' }),
  providerOutput(
    'SD WebUI base64 JSON',
    { provider: 'sd-webui' },
    atMost(2048, "the WebUI's size presets go to 2048 px a side"),
  ),
  editUpload('OpenAI edit upload (multipart)', 'openai'),
  editUpload('Gemini edit upload (inlineData)', 'gemini'),
  editUpload('SD WebUI img2img upload (base64)', 'sd-webui'),
];
