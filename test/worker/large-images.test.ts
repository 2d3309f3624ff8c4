/**
 * Images over the decode bound. Transforms, previews and thumbnails of them are made from a working copy that
 * Cloudflare Images scales down to half the bound (the IMAGE_TRANSFORMS binding, simulated locally with sharp),
 * with the size and geometry asked for; without the binding they are refused with the reason and a link to
 * the original. The original itself is always served as it is.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { planOnCopy, WORKING_COPY_PIXELS, workingCopyKey, workingSize } from '../../src/images/cf-images';
import { MAX_DECODE_PIXELS } from '../../src/images/decode';
import { PhotonImage } from '../../src/images/photon';
import { signingSecret } from '../../src/images/signing';
import { putOriginal } from '../../src/images/storage';
import { planTransform, type TransformParams } from '../../src/images/transform-plan';
import { variantUrl } from '../../src/images/urls';
import { getVariant } from '../../src/images/variants';
import { quadrantsPng } from '../fakes/png';
import { fetchWith, toolCall } from '../helpers/app';
import { insertJob } from '../helpers/jobs';
import { callTool, textOf } from '../helpers/mcp';

type Rgb = [number, number, number];
const RED: Rgb = [255, 0, 0];
const GREEN: Rgb = [0, 255, 0];
const BLUE: Rgb = [0, 0, 255];
const YELLOW: Rgb = [255, 255, 0];
/** 6000 x 3000: 18 Mpx, over the bound. */
const BIG = { width: 6000, height: 3000 };

/** A finished image of alice's, over the bound, stored as the consumer stores one. */
async function bigImage(): Promise<string> {
  const bytes = new Uint8Array(quadrantsPng(BIG.width, BIG.height, [RED, GREEN, BLUE, YELLOW]));
  const job = await insertJob({ subject: 'alice', provider: 'placeholder', ...BIG });
  const meta = { subject: 'alice', prompt: 'big', provider: 'test', model: 'test', seed: null };
  await putOriginal(env.IMAGES, job.id, { bytes, contentType: 'image/png', ...BIG, model: 'test', seed: null }, meta);
  await env.DB.prepare(
    `UPDATE jobs SET status = 'completed', image_key = ?, content_type = 'image/png', image_bytes = ? WHERE id = ?`,
  )
    .bind(`originals/${job.id}`, bytes.length, job.id)
    .run();
  return job.id;
}

function decoded(bytes: Uint8Array) {
  const image = PhotonImage.new_from_byteslice(bytes);
  try {
    const width = image.get_width();
    const height = image.get_height();
    const pixels = image.get_raw_pixels();
    return {
      width,
      height,
      at: (fx: number, fy: number): Rgb => {
        const i = (Math.floor(height * fy) * width + Math.floor(width * fx)) * 4;
        return [pixels[i]!, pixels[i + 1]!, pixels[i + 2]!];
      },
    };
  } finally {
    image.free();
  }
}

function expectColour(actual: Rgb, expected: Rgb) {
  for (let i = 0; i < 3; i++) expect(Math.abs(actual[i]! - expected[i]!), `${actual} vs ${expected}`).toBeLessThan(30);
}

async function signed(id: string, params: TransformParams): Promise<string> {
  const urls = {
    baseUrl: 'http://localhost',
    config: loadConfig(env),
    secret: await signingSecret(env.DB, loadConfig(env)),
  };
  const url = new URL(
    await variantUrl({ ...urls, nowSeconds: Math.floor(Date.now() / 1000) }, id, 'image/png', params),
  );
  return `${url.pathname}${url.search}`;
}

/** The Worker's fetch, with or without the binding. */
const get = (path: string, withBinding: boolean) =>
  fetchWith(withBinding ? {} : { IMAGE_TRANSFORMS: undefined }, new Request(`http://localhost${path}`));

/** The src of an image's card on the first gallery page, with or without the binding. */
async function thumbnailOf(id: string, withBinding: boolean): Promise<string> {
  const { structured } = await callTool<{ url: string }>('gallery_link', {});
  const link = new URL(structured.url);
  const html = await (await get(`${link.pathname}${link.search}`, withBinding)).text();
  return new RegExp(`src="(http://localhost/images/${id}[^"]+)"`).exec(html)![1]!.replaceAll('&amp;', '&');
}

describe('working copy', () => {
  it('is the largest size of the same aspect within half the bound', () => {
    const size = workingSize(BIG);
    expect(size.width * size.height).toBeLessThanOrEqual(WORKING_COPY_PIXELS);
    expect(WORKING_COPY_PIXELS).toBeLessThanOrEqual(MAX_DECODE_PIXELS);
    expect(size.width / size.height).toBeCloseTo(2, 2);
    expect((size.width + 2) * (size.height + 1)).toBeGreaterThan(WORKING_COPY_PIXELS);
  });

  it('takes the plan with its crop box scaled and its output size kept', () => {
    const plan = planTransform(
      { crop: { x: 3000, y: 0, width: 3000, height: 1500 }, width: 300 },
      { ...BIG, contentType: 'image/png' },
    );
    const moved = planOnCopy(plan, BIG, { width: 3000, height: 1500 });
    expect(moved.crop).toEqual({ x: 1500, y: 0, width: 1500, height: 750 });
    expect(moved.resize).toEqual({ width: 300, height: 150 });
    expect(moved.output).toEqual(plan.output);
    // Without a resize, the crop's own size is the output, resampled from the copy.
    const cropOnly = planTransform(
      { crop: { x: 0, y: 0, width: 1000, height: 1000 } },
      { ...BIG, contentType: 'image/png' },
    );
    expect(planOnCopy(cropOnly, BIG, { width: 3000, height: 1500 }).resize).toEqual({ width: 1000, height: 1000 });
  });
});

describe('an image over the decode bound', () => {
  it('is transformed from a working copy made once by Cloudflare Images, with the geometry asked for', async () => {
    const id = await bigImage();
    const first = await get(await signed(id, { width: 600, format: 'png' }), true);
    expect(first.status, await first.clone().text()).toBe(200);
    const whole = decoded(new Uint8Array(await first.arrayBuffer()));
    expect([whole.width, whole.height]).toEqual([600, 300]);
    expectColour(whole.at(0.25, 0.25), RED);
    expectColour(whole.at(0.75, 0.25), GREEN);
    expectColour(whole.at(0.25, 0.75), BLUE);
    expectColour(whole.at(0.75, 0.75), YELLOW);

    const made = await env.IMAGES.head(workingCopyKey(id));
    // The top-right quadrant, turned a quarter (3000 wide becomes tall), 300 wide: green, 300 x 600.
    const turned = await getVariant(env, id, {
      crop: { x: 3000, y: 0, width: 3000, height: 1500 },
      width: 300,
      rotate: 90,
    });
    const quarter = decoded(turned.bytes);
    expect([quarter.width, quarter.height]).toEqual([300, 600]);
    expectColour(quarter.at(0.5, 0.5), GREEN);

    // Made from the copy kept by the first request, not a new one.
    const copy = await env.IMAGES.head(workingCopyKey(id));
    expect(copy?.etag).toBe(made?.etag);
    expect(copy?.uploaded.getTime()).toBe(made?.uploaded.getTime());
    expect(Number(copy?.customMetadata?.width) * Number(copy?.customMetadata?.height)).toBeLessThanOrEqual(
      MAX_DECODE_PIXELS,
    );
  });

  it('is previewed by show_image and thumbnailed in the gallery', async () => {
    const id = await bigImage();
    const shown = await callTool<{ preview: { width: number; height: number } }>('show_image', { image_id: id });
    expect(shown.isError, textOf(shown)).toBeFalsy();
    expect(shown.structured.preview.width).toBe(2 * shown.structured.preview.height);
    expect(await thumbnailOf(id, true)).toContain('width=256&height=256&format=jpeg');
  });

  it('without the binding: shown in the gallery from its original, and show_image says why and where', async () => {
    const id = await bigImage();
    expect(await thumbnailOf(id, false)).toMatch(new RegExp(`/images/${id}\\.png\\?exp=\\d+&sig=`));
    const shown = await fetchWith({ IMAGE_TRANSFORMS: undefined }, toolCall('show_image', { image_id: id }));
    const result = ((await shown.json()) as { result: { isError: boolean; content: Array<{ text: string }> } }).result;
    expect(result.isError).toBe(true);
    expect(result.content[0]!.text).toMatch(/not bound here .* The original, as it is: http:\/\/localhost\/images\//);
  });

  it('without the binding: refused with the reason and its original, which is served as it is', async () => {
    const id = await bigImage();
    const refused = await get(await signed(id, { width: 600 }), false);
    expect(refused.status).toBe(413);
    const message = ((await refused.json()) as { error: { message: string } }).error.message;
    expect(message).toMatch(/6000x3000 \(18000000 pixels\): this server decodes images up to \d+ pixels itself/);
    expect(message).toMatch(/Cloudflare Images, which is not bound here \(IMAGE_TRANSFORMS/);
    const original = /The original, as it is: (http\S+)/.exec(message)![1]!;
    const served = await get(new URL(original).pathname + new URL(original).search, false);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    await served.arrayBuffer();
    expect(await env.IMAGES.head(workingCopyKey(id))).toBeNull();
  });
});

interface Generated {
  status: string;
  jobs: Array<{
    job_id: string;
    status: string;
    width: number;
    height: number;
    image_url: string;
    adaptations: string[];
  }>;
}

describe.each([
  ['4096x4096 (1:1 at 4K)', 4096, 4096],
  ['5456x3072 (16:9 at 4K, over the bound)', 5456, 3072],
])('a Gemini image of %s, end to end', (_, width, height) => {
  it('completes and is served; show_image, a transform and the gallery work from it', async () => {
    const result = await callTool<Generated>('generate_image_and_wait', {
      prompt: 'a lighthouse in 4K',
      provider: 'gemini',
      model: 'gemini-3-pro-image',
      width,
      height,
    });
    expect(result.isError, textOf(result)).toBeFalsy();
    const [job] = result.structured.jobs;
    expect(job).toMatchObject({ status: 'completed', width, height });
    const over = width * height > MAX_DECODE_PIXELS;
    expect(job!.adaptations.some((a) => a.includes('pixels this server decodes'))).toBe(over);

    const original = await get(new URL(job!.image_url).pathname + new URL(job!.image_url).search, true);
    expect(original.status).toBe(200);
    const bytes = new Uint8Array(await original.arrayBuffer());
    expect(new DataView(bytes.buffer).getUint32(16)).toBe(width);

    const shown = await callTool<{ preview: { width: number; height: number } }>('show_image', {
      image_id: job!.job_id,
    });
    expect(shown.isError, textOf(shown)).toBeFalsy();
    expect(shown.structured.preview.width / shown.structured.preview.height).toBeCloseTo(width / height, 1);

    const transformed = await callTool<{ width: number; height: number }>('transform_image', {
      image_id: job!.job_id,
      width: 512,
      format: 'jpeg',
    });
    expect(transformed.isError, textOf(transformed)).toBeFalsy();
    expect(transformed.structured.width).toBe(512);

    const thumbnail = await thumbnailOf(job!.job_id, true);
    const served = await get(new URL(thumbnail).pathname + new URL(thumbnail).search, true);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/jpeg');
    await served.arrayBuffer();
    expect((await env.IMAGES.head(workingCopyKey(job!.job_id))) !== null).toBe(over);
  });
});
