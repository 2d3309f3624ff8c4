/** Image transforms over signed URLs: pixels, formats, bounds checked before decoding, and the variant cache. */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { signingSecret } from '../../src/images/signing';
import { putOriginal } from '../../src/images/storage';
import { QUALITY_STEPS, type TransformParams } from '../../src/images/transform-plan';
import { imageUrl, variantUrl } from '../../src/images/urls';
import { getVariant, MAX_VARIANTS_PER_IMAGE } from '../../src/images/variants';
import { request } from '../helpers/mcp';

type Rgb = [number, number, number];
const RED: Rgb = [255, 0, 0];
const GREEN: Rgb = [0, 255, 0];
const BLUE: Rgb = [0, 0, 255];
const YELLOW: Rgb = [255, 255, 0];

/** A 40x20 PNG: red top-left, green top-right, blue bottom-left, yellow bottom-right. */
async function quadrants(): Promise<Uint8Array> {
  return encodePng(40, 20, (x, y) => (y < 10 ? (x < 20 ? RED : GREEN) : x < 20 ? BLUE : YELLOW));
}

async function encodePng(width: number, height: number, colour: (x: number, y: number) => Rgb): Promise<Uint8Array> {
  const { PhotonImage } = await import('../../src/images/photon');
  const pixels = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) pixels.set([...colour(x, y), 255], (y * width + x) * 4);
  }
  const image = new PhotonImage(pixels, width, height);
  try {
    return image.get_bytes();
  } finally {
    image.free();
  }
}

async function decode(bytes: Uint8Array) {
  const { PhotonImage } = await import('../../src/images/photon');
  const image = PhotonImage.new_from_byteslice(bytes);
  try {
    const width = image.get_width();
    const pixels = image.get_raw_pixels();
    const at = (x: number, y: number): Rgb => {
      const i = (y * width + x) * 4;
      return [pixels[i]!, pixels[i + 1]!, pixels[i + 2]!];
    };
    return { width, height: image.get_height(), at };
  } finally {
    image.free();
  }
}

function expectColour(actual: Rgb, expected: Rgb, tolerance = 2) {
  for (let i = 0; i < 3; i++)
    expect(Math.abs(actual[i]! - expected[i]!), `${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

/** Stores an original as the job consumer does; `bytes` need not be an image, to prove nothing decodes it. */
async function storeOriginal(bytes: Uint8Array, width = 40, height = 20): Promise<string> {
  const id = crypto.randomUUID();
  const meta = { subject: 'alice', prompt: 'test', provider: 'test', model: 'test', seed: null };
  await putOriginal(
    env.IMAGES,
    id,
    { bytes, contentType: 'image/png', width, height, model: 'test', seed: null },
    meta,
  );
  return id;
}

async function urlContext() {
  const config = loadConfig(env);
  const secret = await signingSecret(env.DB, config);
  return { baseUrl: 'http://localhost', config, secret, nowSeconds: Math.floor(Date.now() / 1000) };
}

async function signed(id: string, params: TransformParams): Promise<URL> {
  return new URL(await variantUrl(await urlContext(), id, 'image/png', params));
}

const get = (url: URL | string, headers: Record<string, string> = {}) =>
  request(typeof url === 'string' ? url : `${url.pathname}${url.search}`, { token: null, headers });

async function fetchVariant(id: string, params: TransformParams) {
  const response = await get(await signed(id, params));
  if (response.status !== 200) throw new Error(`${response.status}: ${await response.text()}`);
  return { response, bytes: new Uint8Array(await response.arrayBuffer()) };
}

const variantsOf = async (id: string) => (await env.IMAGES.list({ prefix: `variants/${id}/` })).objects;

describe('transform pixels', () => {
  // Expected colours at the centres of the output's quadrants: top-left, top-right, bottom-left, bottom-right.
  it.each<[string, TransformParams, number, number, Rgb[]]>([
    ['width alone keeps the aspect', { width: 20 }, 20, 10, [RED, GREEN, BLUE, YELLOW]],
    ['both sides centre-crop to fill', { width: 10, height: 10 }, 10, 10, [RED, GREEN, BLUE, YELLOW]],
    ['rotate 90 (clockwise)', { rotate: 90 }, 20, 40, [BLUE, RED, YELLOW, GREEN]],
    ['rotate 180', { rotate: 180 }, 40, 20, [YELLOW, BLUE, GREEN, RED]],
    ['rotate 270', { rotate: 270 }, 20, 40, [GREEN, YELLOW, RED, BLUE]],
    ['flip h', { flip: 'h' }, 40, 20, [GREEN, RED, YELLOW, BLUE]],
    ['flip v', { flip: 'v' }, 40, 20, [BLUE, YELLOW, RED, GREEN]],
    ['rotate 90 then flip h', { rotate: 90, flip: 'h' }, 20, 40, [RED, BLUE, GREEN, YELLOW]],
    ['rotate then resize', { rotate: 270, height: 10 }, 5, 10, [GREEN, YELLOW, RED, BLUE]],
  ])('%s', async (_, params, width, height, expected) => {
    const id = await storeOriginal(await quadrants());
    const { response, bytes } = await fetchVariant(id, params);
    expect(response.headers.get('content-type')).toBe('image/png');
    const image = await decode(bytes);
    expect([image.width, image.height]).toEqual([width, height]);
    const [qx, qy] = [Math.floor(width / 4), Math.floor(height / 4)];
    const corners = [
      [qx, qy],
      [width - 1 - qx, qy],
      [qx, height - 1 - qy],
      [width - 1 - qx, height - 1 - qy],
    ] as const;
    corners.forEach(([x, y], i) => {
      expectColour(image.at(x, y), expected[i]!);
    });
  });

  it('crops a box given in source pixels before anything else', async () => {
    const id = await storeOriginal(await quadrants());
    const crop = { x: 16, y: 8, width: 8, height: 4 };
    const image = await decode((await fetchVariant(id, { crop })).bytes);
    expect([image.width, image.height]).toEqual([8, 4]);
    expectColour(image.at(0, 0), RED);
    expectColour(image.at(3, 1), RED);
    expectColour(image.at(4, 1), GREEN);
    expectColour(image.at(3, 2), BLUE);
    expectColour(image.at(7, 3), YELLOW);
    // Crop, then rotate: the box's top-left corner ends at the top-right.
    const turned = await decode((await fetchVariant(id, { crop, rotate: 90 })).bytes);
    expect([turned.width, turned.height]).toEqual([4, 8]);
    expectColour(turned.at(3, 0), RED);
    expectColour(turned.at(0, 0), BLUE);
  });
});

describe('transform formats', () => {
  it.each([
    ['png', 'image/png', [0x89, 0x50, 0x4e, 0x47]],
    ['jpeg', 'image/jpeg', [0xff, 0xd8, 0xff]],
    ['webp', 'image/webp', [0x52, 0x49, 0x46, 0x46]],
  ] as const)('encodes %s with its content type', async (format, contentType, magic) => {
    const id = await storeOriginal(await quadrants());
    const { response, bytes } = await fetchVariant(id, { format, width: 20 });
    expect(response.headers.get('content-type')).toBe(contentType);
    expect([...bytes.slice(0, magic.length)]).toEqual(magic);
    if (format === 'webp') expect(new TextDecoder().decode(bytes.slice(8, 12))).toBe('WEBP');
    const image = await decode(bytes);
    expect([image.width, image.height]).toEqual([20, 10]);
    expectColour(image.at(5, 2), RED, format === 'jpeg' ? 24 : 2);
  });

  it('makes smaller JPEGs at lower quality', async () => {
    // Noise, so that quantisation has something to throw away.
    let seed = 7;
    const noise = () => {
      seed = (seed * 1_103_515_245 + 12_345) >>> 0;
      return seed >>> 24;
    };
    const id = await storeOriginal(await encodePng(64, 64, () => [noise(), noise(), noise()]), 64, 64);
    const low = (await fetchVariant(id, { format: 'jpeg', quality: 10 })).bytes.byteLength;
    const standard = (await fetchVariant(id, { format: 'jpeg' })).bytes.byteLength;
    const high = (await fetchVariant(id, { format: 'jpeg', quality: 100 })).bytes.byteLength;
    expect(low).toBeLessThan(standard);
    expect(standard).toBeLessThan(high);
  });
});

describe('transform bounds', () => {
  const garbage = new Uint8Array(64).fill(7);

  it.each([
    ['width=100000', /"width" must be a whole number from 1 to 4096/],
    ['width=4096&height=4000', /16384000 pixels\); the limit is 2097152/],
    ['rotate=45', /"rotate" must be 0, 90, 180 or 270/],
    ['format=gif', /"format" must be png, jpeg or webp/],
    ['crop_x=1', /a crop needs all of/],
    ['widht=10', /unknown parameter "widht"/],
  ])('refuses %s with a 400 before signatures or storage are consulted', async (query, message) => {
    const id = await storeOriginal(garbage);
    const response = await get(`/images/${id}.png?${query}&exp=1&sig=x`);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('bad_request');
    expect(body.error.message).toMatch(message);
    expect(await variantsOf(id)).toHaveLength(0);
  });

  it.each<[string, TransformParams, number, number, number, RegExp]>([
    ['a crop outside the source', { crop: { x: 30, y: 0, width: 20, height: 10 } }, 40, 20, 400, /reaches outside/],
    ['a derived side over the limit', { width: 4096 }, 10, 1000, 400, /4096x409600/],
    // Over the bound and over what Cloudflare Images takes (100 MP), so no engine could.
    ['a source with too many pixels', { width: 10 }, 12_000, 12_000, 413, /12000x12000/],
  ])('refuses %s from the stored size, without decoding', async (_, params, width, height, status, message) => {
    // The original's bytes are not an image: decoding them would fail with a 500, not this answer.
    const id = await storeOriginal(garbage, width, height);
    const response = await get(await signed(id, params));
    expect(response.status).toBe(status);
    expect(JSON.stringify(await response.json())).toMatch(message);
    expect(await variantsOf(id)).toHaveLength(0);
  });

  it('refuses a small file whose header claims a huge canvas, before decoding it', async () => {
    const png = await quadrants();
    // IHDR width and height (bytes 16-23) rewritten to 20000x20000; the file itself stays a few hundred bytes.
    new DataView(png.buffer, png.byteOffset).setUint32(16, 20_000);
    new DataView(png.buffer, png.byteOffset).setUint32(20, 20_000);
    const id = await storeOriginal(png, 0, 0);
    const response = await get(await signed(id, { width: 10 }));
    expect(response.status).toBe(413);
    expect(JSON.stringify(await response.json())).toMatch(/20000x20000/);
    expect(await variantsOf(id)).toHaveLength(0);
  });

  it('refuses a source over the byte limit with a 413, from its size alone', async () => {
    const id = await storeOriginal(new Uint8Array(25 * 1024 * 1024 + 1));
    const response = await get(await signed(id, { width: 10 }));
    expect(response.status).toBe(413);
    expect(JSON.stringify(await response.json())).toMatch(/at most 26214400/);
  });
});

describe('variant cache', () => {
  it('computes a variant once, then serves it from R2 with the same strong ETag and immutable caching', async () => {
    const id = await storeOriginal(await quadrants());
    const url = await signed(id, { width: 20, format: 'jpeg' });
    const first = await get(url);
    expect(first.headers.get('x-transform')).toBe('miss');
    expect(first.headers.get('server-timing')).toMatch(/^transform;desc="miss";dur=[\d.]+, total;dur=[\d.]+$/);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(first.headers.get('cache-control')).toMatch(/max-age=\d+, immutable/);
    const firstBytes = await first.arrayBuffer();

    // With the original now undecodable, only a cache hit can still answer.
    await env.IMAGES.put(`originals/${id}`, new Uint8Array(64), { customMetadata: { width: '40', height: '20' } });
    const second = await get(url);
    expect(second.headers.get('x-transform')).toBe('hit');
    expect(second.headers.get('server-timing')).toMatch(/^transform;desc="hit";dur=[\d.]+, total;dur=[\d.]+$/);
    expect(second.headers.get('etag')).toBe(etag);
    expect(await second.arrayBuffer()).toEqual(firstBytes);
    expect((await variantsOf(id)).map((o) => o.key)).toEqual([`variants/${id}/width=20&format=jpeg&quality=85`]);

    const revalidated = await get(url, { 'if-none-match': etag });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get('etag')).toBe(etag);
  });

  it('shares one variant between equivalent spellings of the same request', async () => {
    const id = await storeOriginal(await quadrants());
    const url = await signed(id, { flip: 'hv', format: 'jpeg' });
    expect(url.search).toMatch(/^\?flip=hv&format=jpeg&quality=85&exp=\d+&sig=/);
    await (await get(url)).arrayBuffer();
    const respelled = `${url.pathname}?format=jpg&exp=${url.searchParams.get('exp')}&flip=vh&sig=${url.searchParams.get('sig')}`;
    const again = await get(respelled);
    expect(again.status).toBe(200);
    expect(again.headers.get('x-transform')).toBe('hit');
    expect(await variantsOf(id)).toHaveLength(1);
  });

  it('makes a requested JPEG quality at the nearest step, so a sweep of it stores a few objects', async () => {
    const id = await storeOriginal(await quadrants());
    for (let quality = 1; quality <= 100; quality += 10) await getVariant(env, id, { format: 'jpeg', quality });
    const made = (await variantsOf(id)).map((o) => Number(/quality=(\d+)$/.exec(o.key)![1]));
    expect(made.sort((a, b) => a - b)).toEqual([25, 50, 65, 75, 85, 90]);
    expect(made.every((q) => (QUALITY_STEPS as readonly number[]).includes(q))).toBe(true);
    // A link signed for a quality between steps (as links made before steps were) still works, from the step.
    const between = await get(await signed(id, { format: 'jpeg', quality: 87 }));
    expect(between.status).toBe(200);
    expect(between.headers.get('x-transform')).toBe('hit');
  });

  it('keeps at most MAX_VARIANTS_PER_IMAGE per image, dropping the least recently used', async () => {
    const id = await storeOriginal(await quadrants());
    const day = 24 * 3600 * 1000;
    const start = Date.now() - 10 * day;
    for (let width = 1; width <= MAX_VARIANTS_PER_IMAGE; width++) await getVariant(env, id, { width }, start + width);
    // Two days on, width=1 (the oldest) is used again, and one more variant is made: width=2 is now the least
    // recently used, so it goes, whatever the order they were made in.
    expect((await getVariant(env, id, { width: 1 }, start + 2 * day)).cached).toBe(true);
    await getVariant(env, id, { width: 21 }, start + 2 * day);
    const kept = (await variantsOf(id)).map((o) => o.key.split('/').at(-1));
    expect(kept).toHaveLength(MAX_VARIANTS_PER_IMAGE);
    expect(kept).toContain('width=1');
    expect(kept).toContain('width=21');
    expect(kept).not.toContain('width=2');
    // A dropped variant is simply made again when asked for.
    expect((await getVariant(env, id, { width: 2 }, start + 3 * day)).cached).toBe(false);
    expect(await variantsOf(id)).toHaveLength(MAX_VARIANTS_PER_IMAGE);
  });

  it('is callable directly, reporting size, type and whether it was cached', async () => {
    const id = await storeOriginal(await quadrants());
    const miss = await getVariant(env, id, { height: 5, format: 'webp' });
    expect(miss).toMatchObject({ contentType: 'image/webp', width: 10, height: 5, cached: false });
    const hit = await getVariant(env, id, { height: 5, format: 'webp' });
    expect(hit).toMatchObject({ width: 10, height: 5, cached: true, etag: miss.etag });
    expect(hit.bytes).toEqual(miss.bytes);
    const original = await getVariant(env, id, {});
    expect(original).toMatchObject({ contentType: 'image/png', width: 40, height: 20, cached: true });
    await expect(getVariant(env, crypto.randomUUID(), { width: 5 })).rejects.toThrow('Image not found.');
  });
});

describe('variant signatures', () => {
  it('cover the transform parameters: edited, added or dropped ones answer like a missing image', async () => {
    const id = await storeOriginal(await quadrants());
    const url = await signed(id, { width: 20 });
    const original = new URL(await imageUrl(await urlContext(), id, 'image/png'));
    const edited = new URL(url);
    edited.searchParams.set('width', '30');
    const added = new URL(url);
    added.searchParams.set('rotate', '90');
    const dropped = new URL(url);
    dropped.searchParams.delete('width');
    const onOriginal = new URL(original);
    onOriginal.searchParams.set('width', '20');
    const bodies = new Set<string>();
    for (const bad of [edited, added, dropped, onOriginal, `/images/${crypto.randomUUID()}.png?exp=1&sig=x`]) {
      const response = await get(bad);
      expect(response.status).toBe(404);
      bodies.add(await response.text());
    }
    expect(bodies.size).toBe(1);
    expect(await variantsOf(id)).toHaveLength(0);
  });

  it('leave original URLs as they were', async () => {
    const id = await storeOriginal(await quadrants());
    const ctx = await urlContext();
    expect(await variantUrl(ctx, id, 'image/png', {})).toBe(await imageUrl(ctx, id, 'image/png'));
    const response = await get(new URL(await imageUrl(ctx, id, 'image/png')));
    expect(response.status).toBe(200);
    expect(response.headers.get('x-transform')).toBeNull();
    expect(response.headers.get('server-timing')).toMatch(/^total;dur=[\d.]+$/);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(await quadrants());
  });
});
