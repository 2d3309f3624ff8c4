/**
 * edit_image end to end in workerd: tool call, source checks, queue, consumer, provider (the placeholder, and
 * the fakes of the OpenAI, Gemini and SD WebUI APIs), R2 and the job row.
 */

import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { workingCopyKey } from '../../src/images/cf-images';
import { MAX_DECODE_PIXELS } from '../../src/images/decode';
import { PhotonImage } from '../../src/images/photon';
import { originalKey } from '../../src/images/storage';
import { encodeBase64 } from '../../src/providers/sniff';
import { quadrantsPng } from '../fakes/png';
import type { FakeRequest } from '../fakes/server';
import { fetchWith, toolCall } from '../helpers/app';
import { insertJob } from '../helpers/jobs';
import { callTool, TOKENS, textOf } from '../helpers/mcp';

type Rgb = [number, number, number];

interface JobView {
  job_id: string;
  status: string;
  provider: string;
  model: string;
  width: number;
  height: number;
  error: string | null;
  source_ids: string[];
  mask_id: string | null;
  adaptations: string[];
}

interface WaitResult {
  status: string;
  jobs: JobView[];
}

/** RGBA pixels as a PNG, made with photon like the Worker's own images. */
function png(width: number, height: number, pixel: (x: number, y: number) => readonly number[]): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rgba.set(pixel(x, y), (y * width + x) * 4);
  const image = new PhotonImage(rgba, width, height);
  try {
    return image.get_bytes();
  } finally {
    image.free();
  }
}

function pixels(bytes: Uint8Array): { width: number; rgba: Uint8Array } {
  const image = PhotonImage.new_from_byteslice(bytes);
  try {
    return { width: image.get_width(), rgba: image.get_raw_pixels() };
  } finally {
    image.free();
  }
}

/** A finished image of `subject`, written straight to D1 and R2. */
async function storedImage(bytes: Uint8Array, width: number, height: number, subject = 'alice'): Promise<string> {
  const job = await insertJob({ subject, provider: 'placeholder', width, height });
  await env.IMAGES.put(originalKey(job.id), bytes, { httpMetadata: { contentType: 'image/png' } });
  await env.DB.prepare(
    `UPDATE jobs SET status = 'completed', image_key = ?, content_type = 'image/png', image_bytes = ? WHERE id = ?`,
  )
    .bind(originalKey(job.id), bytes.length, job.id)
    .run();
  return job.id;
}

/** A 64x64 source: left half red, right half blue. */
const SOURCE = png(64, 64, (x) => (x < 32 ? [200, 30, 30, 255] : [30, 30, 200, 255]));
/** White (repaint) on the bottom-left quarter only. */
const MASK = png(64, 64, (x, y) => (x < 32 && y >= 32 ? [255, 255, 255, 255] : [0, 0, 0, 255]));

async function original(id: string): Promise<Uint8Array> {
  const object = await env.IMAGES.get(originalKey(id));
  if (!object) throw new Error(`no original for ${id}`);
  return new Uint8Array(await object.arrayBuffer());
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function fakeRequests(baseUrl: string | undefined): Promise<FakeRequest[]> {
  const origin = new URL(baseUrl ?? '').origin;
  return (await fetch(`${origin}/__fake/requests`)).json<FakeRequest[]>();
}

describe('edit_image with the placeholder provider', () => {
  it('edits a source through the queue, records it and stores an image derived from it', async () => {
    const source = await storedImage(SOURCE, 64, 64);
    const result = await callTool<WaitResult>('edit_image', {
      images: [source],
      prompt: 'make it warmer',
      provider: 'placeholder',
      strength: 1,
    });
    expect(result.isError, textOf(result)).toBeFalsy();
    const [job] = result.structured.jobs;
    expect(job).toMatchObject({ status: 'completed', provider: 'placeholder', width: 64, height: 64 });
    expect(job?.source_ids).toEqual([source]);
    expect(job?.mask_id).toBeNull();
    const out = pixels(await original(job!.job_id));
    expect(out.width).toBe(64);
    // The bottom rows carry no text: still red on the left and blue on the right, but tinted.
    const at = (x: number, y: number) => [...out.rgba.subarray((y * 64 + x) * 4, (y * 64 + x) * 4 + 3)];
    const [left, right] = [at(8, 60), at(56, 60)];
    expect(left).not.toEqual([200, 30, 30]);
    expect(left[0]!).toBeGreaterThan(right[0]!);
    expect(right[2]!).toBeGreaterThan(left[2]!);

    const status = await callTool<JobView>('get_job_status', { job_id: job!.job_id });
    expect(status.structured.source_ids).toEqual([source]);
  });

  it('returns links only, and an inline preview of the result when asked', async () => {
    const source = await storedImage(SOURCE, 64, 64);
    const args = { images: [source], prompt: 'make it cooler', provider: 'placeholder' };
    const plain = await callTool('edit_image', args);
    expect(plain.content.some((c) => c.type === 'image')).toBe(false);
    const shown = await callTool<WaitResult & { previews: Array<{ job_id: string }> }>('edit_image', {
      ...args,
      include_preview: true,
    });
    expect(shown.content.filter((c) => c.type === 'image')).toHaveLength(1);
    expect(shown.structured.previews.map((p) => p.job_id)).toEqual([shown.structured.jobs[0]!.job_id]);
  });

  it('repaints only inside the mask and records the mask', async () => {
    const [source, mask] = await Promise.all([storedImage(SOURCE, 64, 64), storedImage(MASK, 64, 64)]);
    const result = await callTool<WaitResult>('edit_image', {
      images: [`image://${source}`],
      mask: `image://${mask}`,
      prompt: 'paint a flower',
      provider: 'placeholder',
      strength: 1,
    });
    expect(result.isError, textOf(result)).toBeFalsy();
    const [job] = result.structured.jobs;
    expect(job).toMatchObject({ status: 'completed', source_ids: [source], mask_id: mask });
    const { rgba } = pixels(await original(job!.job_id));
    const at = (x: number, y: number) => [...rgba.subarray((y * 64 + x) * 4, (y * 64 + x) * 4 + 3)];
    expect(at(8, 60)).not.toEqual([200, 30, 30]);
    expect(at(56, 60)).toEqual([30, 30, 200]);
  });

  it('answers a source of another subject exactly like a missing one', async () => {
    const foreign = await storedImage(SOURCE, 64, 64, 'bob');
    const missing = crypto.randomUUID();
    const edit = (id: string) => callTool('edit_image', { images: [id], prompt: 'x', provider: 'placeholder' });
    const [theirs, nobody] = [await edit(foreign), await edit(missing)];
    expect(theirs.isError).toBe(true);
    expect(nobody.isError).toBe(true);
    expect(textOf(theirs).replace(foreign, 'ID')).toBe(textOf(nobody).replace(missing, 'ID'));
    // The owner can edit it.
    const own = await callTool<WaitResult>(
      'edit_image',
      { images: [foreign], prompt: 'x', provider: 'placeholder' },
      { token: TOKENS.bob },
    );
    expect(own.structured.status).toBe('completed');
  });

  it('refuses an unfinished source, a bad strength and a mask of another size before queueing anything', async () => {
    const pending = await insertJob({ subject: 'alice' });
    const unfinished = await callTool('edit_image', { images: [pending.id], prompt: 'x' });
    expect(unfinished.isError).toBe(true);
    expect(textOf(unfinished)).toMatch(/not ready yet \(its job is pending\)/);

    const source = await storedImage(SOURCE, 64, 64);
    const strong = await callTool('edit_image', { images: [source], prompt: 'x', strength: 1.5 });
    expect(strong.isError).toBe(true);
    expect(textOf(strong)).toMatch(/strength/);

    const small = await storedImage(
      png(32, 32, () => [255, 255, 255, 255]),
      32,
      32,
    );
    const mismatched = await callTool('edit_image', { images: [source], mask: small, prompt: 'x' });
    expect(mismatched.isError).toBe(true);
    expect(textOf(mismatched)).toMatch(/mask is 32x32 but .* is 64x64/);
  });

  it('sends a source and mask over the decode bound as copies scaled down to it; without Cloudflare Images, refuses', async () => {
    // 3000x1000 is 3 Mpx, over the bound: red, green / blue, yellow, and a mask white on the top-left quadrant.
    expect(3000 * 1000).toBeGreaterThan(MAX_DECODE_PIXELS);
    const colours = (tl: Rgb): Rgb[] => [tl, [0, 0, 0], [0, 0, 0], [0, 0, 0]];
    const source = await storedImage(
      new Uint8Array(
        quadrantsPng(3000, 1000, [
          [200, 30, 30],
          [30, 200, 30],
          [30, 30, 200],
          [200, 200, 30],
        ]),
      ),
      3000,
      1000,
    );
    const mask = await storedImage(new Uint8Array(quadrantsPng(3000, 1000, colours([255, 255, 255]))), 3000, 1000);

    const args = { images: [source], mask, prompt: 'x', provider: 'placeholder', strength: 1, width: 600, height: 200 };
    const refused = await fetchWith({ IMAGE_TRANSFORMS: undefined }, toolCall('edit_image', args));
    const reply = (await refused.json()) as { result: { isError: boolean; content: Array<{ text: string }> } };
    expect(reply.result.isError).toBe(true);
    expect(reply.result.content[0]!.text).toMatch(
      new RegExp(`The image "${source}" cannot be edited: The image is 3000x1000 .*not bound here`),
    );

    const edited = await callTool<WaitResult>('edit_image', args);
    const [job] = edited.structured.jobs;
    expect(job, textOf(edited)).toMatchObject({ status: 'completed', width: 600, height: 200 });
    expect(await env.IMAGES.head(workingCopyKey(source))).not.toBeNull();
    expect(await env.IMAGES.head(workingCopyKey(mask))).not.toBeNull();
    // Repainted inside the mask only: the bottom-right quadrant keeps its colour.
    const out = pixels(await original(job!.job_id));
    const at = (x: number, y: number) => [...out.rgba.subarray((y * 600 + x) * 4, (y * 600 + x) * 4 + 3)];
    expect(at(450, 150)).toEqual([200, 200, 30]);
    expect(at(150, 50)).not.toEqual([200, 30, 30]);
  });

  it('names the models that can take the edit when the chosen one cannot', async () => {
    const source = await storedImage(SOURCE, 64, 64);
    const result = await callTool('edit_image', {
      images: [source, source, source, source],
      prompt: 'combine these',
      model: 'gemini-2.5-flash-image',
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(
      /gemini\/gemini-2\.5-flash-image cannot edit 4 source images\. Models that can: .*openai\//,
    );
  });
});

describe('edit_image through the fake provider APIs', () => {
  it('OpenAI: sends the sources as image[] and the mask with alpha to /v1/images/edits', async () => {
    const [source, mask] = await Promise.all([storedImage(SOURCE, 64, 64), storedImage(MASK, 64, 64)]);
    const prompt = `put a hat on it ${crypto.randomUUID()}`;
    const result = await callTool<WaitResult>('edit_image', {
      images: [source, source],
      mask,
      prompt,
      provider: 'openai',
      strength: 0.4,
    });
    expect(result.isError, textOf(result)).toBeFalsy();
    const [job] = result.structured.jobs;
    expect(job).toMatchObject({ status: 'completed', provider: 'openai', source_ids: [source, source], mask_id: mask });
    expect(job?.adaptations.join('\n')).toMatch(/strength ignored/);

    const sent = (await fakeRequests(env.OPENAI_BASE_URL)).filter((r) => r.form?.fields.prompt?.[0] === prompt);
    expect(sent.map((r) => r.path)).toEqual(['/v1/images/edits']);
    const form = sent[0]!.form!;
    const images = form.files.filter((f) => f.field === 'image[]');
    expect(images.map((f) => f.sha256)).toEqual([await sha256(SOURCE), await sha256(SOURCE)]);
    expect(form.files.find((f) => f.field === 'mask')).toMatchObject({ type: 'image/png' });
    expect(form.fields.model).toEqual(['gpt-image-2.6-sunburst']);
    expect(form.fields.size).toEqual(['1024x1024']);
  });

  it('Gemini: sends the sources as inlineData parts before the instruction', async () => {
    const source = await storedImage(SOURCE, 64, 64);
    const prompt = `make it night ${crypto.randomUUID()}`;
    const result = await callTool<WaitResult>('edit_image', { images: [source], prompt, provider: 'gemini' });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(result.structured.jobs[0]).toMatchObject({ status: 'completed', provider: 'gemini' });
    type Body = {
      contents: Array<{ parts: Array<{ text?: string; inlineData?: { mimeType: string; data: string } }> }>;
    };
    const sent = (await fakeRequests(env.GEMINI_BASE_URL)).filter((r) =>
      (r.json as Body | undefined)?.contents?.[0]?.parts.some((p) => p.text === prompt),
    );
    expect(sent).toHaveLength(1);
    expect((sent[0]!.json as Body).contents[0]!.parts).toEqual([
      { inlineData: { mimeType: 'image/png', data: encodeBase64(SOURCE) } },
      { text: prompt },
    ]);
  });

  it('SD WebUI: posts the source, the mask (white to repaint) and the strength to img2img', async () => {
    const [source, mask] = await Promise.all([storedImage(SOURCE, 64, 64), storedImage(MASK, 64, 64)]);
    const prompt = `a cat in the corner ${crypto.randomUUID()}`;
    const result = await callTool<WaitResult>('edit_image', {
      images: [source],
      mask,
      prompt,
      provider: 'sd-webui',
      strength: 0.3,
    });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(result.structured.jobs[0]).toMatchObject({ status: 'completed', provider: 'sd-webui', mask_id: mask });
    const sent = (await fakeRequests(env.SD_WEBUI_URL)).filter(
      (r) => (r.json as { prompt?: string } | undefined)?.prompt === prompt,
    );
    expect(sent.map((r) => r.path)).toEqual(['/sdapi/v1/img2img']);
    const body = sent[0]!.json as Record<string, unknown>;
    expect(body).toMatchObject({ init_images: [encodeBase64(SOURCE)], denoising_strength: 0.3, inpainting_fill: 1 });
    // The mask arrives opaque, white where the caller's mask was white.
    const sentMask = pixels(Uint8Array.from(atob(body.mask as string), (c) => c.charCodeAt(0)));
    const at = (x: number, y: number) => [...sentMask.rgba.subarray((y * 64 + x) * 4, (y * 64 + x) * 4 + 4)];
    expect(at(8, 60)).toEqual([255, 255, 255, 255]);
    expect(at(56, 8)).toEqual([0, 0, 0, 255]);
  });
});
