/** Inline previews (show_image, include_preview) and the image://{id}/view resource template. */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { PhotonImage } from '../../src/images/photon';
import { makePreview, PREVIEW_LIMITS } from '../../src/images/preview';
import { putOriginal } from '../../src/images/storage';
import { imageDimensions, sniffImageType } from '../../src/providers/sniff';
import { callTool, rpc, TOKENS } from '../helpers/mcp';

interface Block {
  type: string;
  data?: string;
  mimeType?: string;
  text?: string;
}

const decode = (base64: string) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));

async function makeImage(width = 96, height = 64, prompt = 'a preview') {
  const result = await callTool<{ jobs: Array<{ job_id: string }> }>('generate_image_and_wait', {
    prompt,
    provider: 'placeholder',
    width,
    height,
  });
  return result.structured.jobs[0]!.job_id;
}

const variantsOf = async (id: string) => (await env.IMAGES.list({ prefix: `variants/${id}/` })).objects;

describe('show_image', () => {
  it('returns a small JPEG image block with the aspect kept, metadata and the link, cached after the first call', async () => {
    const id = await makeImage(512, 256, 'a wide field');
    const shown = await callTool<{ image: { job_id: string; image_url: string }; preview: Record<string, unknown> }>(
      'show_image',
      { image_id: id, max_side: 128 },
    );
    expect(shown.isError).toBeFalsy();
    const image = (shown.content as Block[]).find((c) => c.type === 'image')!;
    expect(image.mimeType).toBe('image/jpeg');
    const bytes = decode(image.data!);
    expect(sniffImageType(bytes)).toBe('image/jpeg');
    expect(imageDimensions(bytes)).toEqual({ width: 128, height: 64 });
    expect(shown.structured.preview).toEqual({
      job_id: id,
      mime_type: 'image/jpeg',
      width: 128,
      height: 64,
      bytes: bytes.byteLength,
    });
    expect(shown.structured.image.job_id).toBe(id);
    const text = (shown.content as Block[]).find((c) => c.type === 'text')!.text!;
    expect(text).toContain('a wide field');
    expect(text).toContain('512x256');
    expect(text).toContain('placeholder');

    expect(await variantsOf(id)).toHaveLength(1);
    const again = await callTool('show_image', { image_id: `image://${id}`, max_side: 128 });
    expect((again.content as Block[]).find((c) => c.type === 'image')!.data).toBe(image.data);
    expect(await variantsOf(id)).toHaveLength(1);
  });

  it('never enlarges a small image', async () => {
    const id = await makeImage(128, 96);
    const shown = await callTool<{ preview: { width: number; height: number } }>('show_image', { image_id: id });
    expect(shown.structured.preview).toMatchObject({ width: 128, height: 96 });
  });

  it('answers another subject’s image like a missing one, and refuses bad arguments', async () => {
    const id = await makeImage();
    const foreign = await callTool('show_image', { image_id: id }, { token: TOKENS.bob });
    const missing = await callTool(
      'show_image',
      { image_id: '00000000-0000-0000-0000-000000000000' },
      { token: TOKENS.bob },
    );
    expect(foreign.isError).toBe(true);
    expect(JSON.stringify(foreign.content).replace(id, 'X')).toBe(
      JSON.stringify(missing.content).replace('00000000-0000-0000-0000-000000000000', 'X'),
    );
    const tooBig = await rpc('tools/call', { name: 'show_image', arguments: { image_id: id, max_side: 5000 } });
    expect(JSON.stringify(tooBig)).toMatch(/max_side/);
  });

  it('keeps a hard-to-compress image under the byte bound by lowering quality, then size', async () => {
    // 1024x1024 of random noise: a full-size JPEG of it is several times the bound at any quality tried.
    const side = 1024;
    const pixels = new Uint8Array(side * side * 4);
    // getRandomValues fills at most 64 KiB per call.
    for (let i = 0; i < pixels.length; i += 65_536) crypto.getRandomValues(pixels.subarray(i, i + 65_536));
    for (let i = 3; i < pixels.length; i += 4) pixels[i] = 255;
    const image = new PhotonImage(pixels, side, side);
    const png = image.get_bytes();
    image.free();
    const id = crypto.randomUUID();
    await putOriginal(
      env.IMAGES,
      id,
      { bytes: png, contentType: 'image/png', width: side, height: side, model: 'test', seed: null },
      { subject: 'alice', prompt: 'noise', provider: 'test', model: 'test', seed: null },
    );
    const preview = await makePreview(env, { id, width: side, height: side }, side);
    expect(preview.bytes).toBeLessThanOrEqual(PREVIEW_LIMITS.maxBytes);
    expect(decode(preview.data).byteLength).toBe(preview.bytes);
    expect(preview.width).toBeLessThan(side);
    expect(preview.width).toBe(preview.height);
    // Each attempt was stored as its own variant; the last one fitted.
    expect((await variantsOf(id)).length).toBeGreaterThan(2);
  });
});

describe('include_preview on the wait tools', () => {
  it('returns links only by default, and bounded previews when asked', async () => {
    const plain = await callTool('generate_image_and_wait', { prompt: 'plain', provider: 'placeholder', count: 2 });
    expect((plain.content as Block[]).some((c) => c.type === 'image')).toBe(false);
    expect(plain.structured).not.toHaveProperty('previews');

    const withPreview = await callTool<{ job_ids: string[]; previews: Array<{ job_id: string; width: number }> }>(
      'generate_image_and_wait',
      { prompt: 'with preview', provider: 'placeholder', count: 2, width: 1024, height: 1024, include_preview: true },
    );
    const images = (withPreview.content as Block[]).filter((c) => c.type === 'image');
    expect(images).toHaveLength(2);
    expect(withPreview.structured.previews.map((p) => p.job_id).sort()).toEqual(
      [...withPreview.structured.job_ids].sort(),
    );
    expect(withPreview.structured.previews[0]!.width).toBe(PREVIEW_LIMITS.defaultSide);

    const waited = await callTool('wait_for_completion', {
      job_ids: withPreview.structured.job_ids,
      include_preview: true,
    });
    expect((waited.content as Block[]).filter((c) => c.type === 'image')).toHaveLength(2);
  });
});

describe('image://{id}/view', () => {
  const read = (uri: string, token?: string) => rpc('resources/read', { uri }, token ? { token } : {});
  const blobOf = (reply: Awaited<ReturnType<typeof rpc>>) => {
    const [content] = (reply.result?.contents ?? []) as Array<{ mimeType: string; blob: string }>;
    return { mimeType: content?.mimeType, bytes: decode(content?.blob ?? '') };
  };

  it('is listed as a template and serves transformed variants, parameters in any order', async () => {
    const templates = await rpc('resources/templates/list');
    expect(JSON.stringify(templates.result)).toContain(
      'image://{id}/view{?format,width,height,fit,quality,crop_x,crop_y,crop_w,crop_h,rotate,flip}',
    );
    const id = await makeImage(96, 64);
    const jpeg = blobOf(await read(`image://${id}/view?width=48&format=jpeg&quality=70`));
    expect(jpeg.mimeType).toBe('image/jpeg');
    expect(imageDimensions(jpeg.bytes)).toEqual({ width: 48, height: 32 });

    const turned = blobOf(await read(`image://${id}/view?rotate=90&format=webp`));
    expect(turned.mimeType).toBe('image/webp');
    expect(imageDimensions(turned.bytes)).toEqual({ width: 64, height: 96 });

    const original = blobOf(await read(`image://${id}/view`));
    expect(original.mimeType).toBe('image/png');
    expect(imageDimensions(original.bytes)).toEqual({ width: 96, height: 64 });
  });

  it('refuses bad parameters by name, and another subject’s image like a missing one', async () => {
    const id = await makeImage();
    const unknown = await read(`image://${id}/view?widht=10`);
    expect(unknown.error?.code).toBe(-32602);
    expect(unknown.error?.message).toContain('widht');
    const huge = await read(`image://${id}/view?width=100000`);
    expect(huge.error?.code).toBe(-32602);
    expect(huge.error?.message).toMatch(/4096/);

    const foreign = await read(`image://${id}/view?width=10`, TOKENS.bob);
    expect(foreign.error?.code).toBe(-32602);
    expect(foreign.error?.data).toEqual({ uri: `image://${id}/view?width=10` });
    expect(await variantsOf(id)).toHaveLength(0);
  });
});
