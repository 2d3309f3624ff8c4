/**
 * transform_image: the same pixels as the image://{id}/view resource (one transform path), a signed link to the
 * variant, its size, markdown and a resource_link, a preview when asked, the same bounds, the R2 cache, and
 * another subject's image treated as missing.
 */

import { describe, expect, it } from 'vitest';
import { PhotonImage } from '../../src/images/photon';
import { callTool, request, rpc, TOKENS, textOf } from '../helpers/mcp';

interface Transformed {
  image_id: string;
  uri: string;
  url: string;
  expires_at: string;
  mime_type: string;
  width: number;
  height: number;
  bytes: number;
  cached: boolean;
}

async function makeImage(width = 256, height = 128) {
  const result = await callTool<{ jobs: Array<{ job_id: string }> }>('generate_image_and_wait', {
    prompt: 'a transform source',
    provider: 'placeholder',
    width,
    height,
  });
  return result.structured.jobs[0]!.job_id;
}

const transform = (args: Record<string, unknown>, token?: string) =>
  callTool<Transformed>('transform_image', args, token ? { token } : {});

async function fetchBytes(url: string): Promise<Uint8Array> {
  const { pathname, search } = new URL(url);
  const response = await request(`${pathname}${search}`, { token: null });
  expect(response.status).toBe(200);
  return new Uint8Array(await response.arrayBuffer());
}

function size(bytes: Uint8Array): [number, number] {
  const image = PhotonImage.new_from_byteslice(bytes);
  try {
    return [image.get_width(), image.get_height()];
  } finally {
    image.free();
  }
}

describe('transform_image', () => {
  it('makes exactly the pixels the view resource makes, and links to them', async () => {
    const id = await makeImage();
    const result = await transform({ image_id: id, crop: '10, 20, 120, 80', width: 60, format: 'png', rotate: 90 });
    expect(result.isError, textOf(result)).toBeFalsy();
    const out = result.structured;
    // Crop 120x80, turned a quarter (80x120), then 60 wide: 60x90.
    expect(out).toMatchObject({ image_id: id, mime_type: 'image/png', width: 60, height: 90, cached: false });
    expect(out.uri).toBe(`image://${id}/view?crop_x=10&crop_y=20&crop_w=120&crop_h=80&rotate=90&width=60&format=png`);
    expect(Date.parse(out.expires_at)).toBeGreaterThan(Date.now());

    const viaUrl = await fetchBytes(out.url);
    expect(viaUrl.byteLength).toBe(out.bytes);
    expect(size(viaUrl)).toEqual([60, 90]);
    const read = await rpc('resources/read', { uri: out.uri });
    const [content] = (read.result?.contents ?? []) as Array<{ blob: string; mimeType: string }>;
    expect(content?.mimeType).toBe('image/png');
    expect(Uint8Array.from(atob(content!.blob), (c) => c.charCodeAt(0))).toEqual(viaUrl);

    expect(textOf(result)).toContain(`![a transform source](${out.url})`);
    expect(result.content).toContainEqual(
      expect.objectContaining({ type: 'resource_link', uri: out.url, mimeType: 'image/png', size: out.bytes }),
    );
  });

  it('resizes to fill (cover, the default) or to fit inside (contain)', async () => {
    const id = await makeImage(256, 128);
    const cover = await transform({ image_id: id, width: 100, height: 100 });
    expect([cover.structured.width, cover.structured.height]).toEqual([100, 100]);
    const contain = await transform({ image_id: id, width: 100, height: 100, fit: 'contain', format: 'jpeg' });
    expect(contain.structured).toMatchObject({ width: 100, height: 50, mime_type: 'image/jpeg' });
    expect(contain.structured.uri).toContain('fit=contain');
    expect(size(await fetchBytes(contain.structured.url))).toEqual([100, 50]);
  });

  it('is served from the cache on repeat, and gives a compact preview when asked', async () => {
    const id = await makeImage();
    const args = { image_id: `image://${id}`, width: 200, format: 'webp' };
    const first = await transform(args);
    expect(first.structured.cached).toBe(false);
    const again = await transform({ ...args, include_preview: true });
    expect(again.structured).toMatchObject({ cached: true, url: first.structured.url, bytes: first.structured.bytes });
    const preview = again.content.find((c) => c.type === 'image') as { data: string; mimeType: string } | undefined;
    expect(preview?.mimeType).toBe('image/jpeg');
    expect(size(Uint8Array.from(atob(preview!.data), (c) => c.charCodeAt(0)))).toEqual([200, 100]);
    expect(first.content.some((c) => c.type === 'image')).toBe(false);
  });

  it('says the JPEG quality it made, a step near the one asked for', async () => {
    const id = await makeImage(64, 64);
    const result = await transform({ image_id: id, format: 'jpeg', quality: 87 });
    expect(result.structured.uri).toBe(`image://${id}/view?format=jpeg&quality=85`);
    expect(new URL(result.structured.url).searchParams.get('quality')).toBe('85');
    expect(textOf(result)).toContain('(format=jpeg&quality=85)');
  });

  it('refuses, saying why, what the view resource refuses', async () => {
    const id = await makeImage(256, 128);
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ width: 5000 }, /width.*from 1 to 4096/i],
      [{ crop: '0,0,300,10' }, /reaches outside the 256x128 source/],
      [{ crop: 'square please' }, /crop is "x,y,width,height"/],
      [{ quality: 50 }, /"quality" applies only with format=jpeg/],
      [{ rotate: 45 }, /rotate is 90, 180 or 270/],
      [{ width: 4096, height: 4096 }, /limit is 2097152/],
      [{}, /Nothing to do/],
    ];
    for (const [args, message] of cases) {
      const result = await transform({ image_id: id, ...args });
      expect(result.isError, JSON.stringify(args)).toBe(true);
      expect(textOf(result)).toMatch(message);
    }
  });

  it('answers another subject’s image like a missing one', async () => {
    const id = await makeImage();
    const foreign = await transform({ image_id: id, width: 10 }, TOKENS.bob);
    const missing = await transform({ image_id: '00000000-0000-0000-0000-000000000000', width: 10 }, TOKENS.bob);
    expect(foreign.isError).toBe(true);
    expect(textOf(foreign)).toBe(textOf(missing).replace('00000000-0000-0000-0000-000000000000', id));
  });
});
