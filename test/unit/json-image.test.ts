/**
 * The streamed reading of a JSON answer with one large base64 image (src/providers/json-image.ts): the same
 * image and fields JSON.parse would give, however the body is cut into chunks, and a clear refusal of
 * anything that is not such an object.
 */
import { describe, expect, it } from 'vitest';
import { ImageJsonError, readImageJson } from '../../src/providers/json-image';
import { encodeBase64 } from '../../src/providers/sniff';

/** A body cut into chunks of `size` bytes (or sizes taken in turn), as a network would deliver it. */
function response(text: string, sizes: number[] = [1 << 16], headers: Record<string, string> = {}): Response {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  let turn = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      const size = sizes[turn++ % sizes.length]!;
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
  return new Response(body, { headers: { 'content-length': String(bytes.length), ...headers } });
}

function randomBytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const webuiAnswer = (image: Uint8Array, extra = '') =>
  JSON.stringify({
    images: [encodeBase64(image), encodeBase64(randomBytes(300, 7))],
    parameters: {
      prompt: 'a "quoted" \\ prompt, with } and ] inside',
      init_images: [encodeBase64(randomBytes(5000, 9))],
      nested: { deep: [1, { x: 'y' }] },
    },
    info: JSON.stringify({ seed: 42, sd_model_name: 'model', prompt: 'ünïcode ✓' }),
  }).replace(/}$/, `${extra}}`);

describe('readImageJson', () => {
  const image = randomBytes(200_000);

  it.each([
    ['one chunk', [1 << 20]],
    ['64 KiB chunks', [1 << 16]],
    ['odd chunk sizes', [1, 2, 3, 5, 7, 11, 4093]],
    ['byte by byte at the start, then large', [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 100_000]],
  ])('gives the first image and the kept fields as JSON.parse would (%s)', async (_name, sizes) => {
    const text = webuiAnswer(image);
    const parsed = JSON.parse(text) as { info: string };
    const read = await readImageJson(response(text, sizes), 'images', ['info']);
    expect(read.image).toEqual(image);
    expect(read.fields.get('info')).toBe(parsed.info);
    expect([...read.fields.keys()]).toEqual(['info']);
  });

  it('takes "\\/" in the base64 (some encoders escape slashes), a data: URL, and no content-length', async () => {
    const small = randomBytes(3000, 3);
    const escaped = `{"images":["${encodeBase64(small).replace(/\//g, '\\/')}"],"info":"{}"}`;
    expect(escaped).toContain('\\/');
    expect((await readImageJson(response(escaped, [13]), 'images', ['info'])).image).toEqual(small);
    const dataUrl = `{"images":["data:image/png;base64,${encodeBase64(small)}"]}`;
    const unsized = new Response(new TextEncoder().encode(dataUrl));
    expect((await readImageJson(unsized, 'images', [])).image).toEqual(small);
  });

  it('grows past a wrong length (a compressed body) and keeps every byte', async () => {
    const text = `{"images":["${encodeBase64(image)}"]}`;
    const read = await readImageJson(response(text, [999], { 'content-length': '10' }), 'images', []);
    expect(read.image).toEqual(image);
  });

  it('gives no image when the array is missing, null, empty or starts with something else', async () => {
    for (const text of ['{"info":"{}"}', '{"images":null}', '{"images":[]}', '{"images":[1,"AAAA"]}', '{}']) {
      const read = await readImageJson(response(text, [3]), 'images', ['info']);
      expect(read.image, text).toBeUndefined();
    }
  });

  it.each([
    ['an array', '["AAAA"]'],
    ['truncated', '{"images":["AAAA"'],
    ['text after the object', '{"images":["AAAA"]} x'],
    ['a newline escaped in the image', '{"images":["AA\\nAA"]}'],
    ['not base64', '{"images":["A*A$"]}'],
    ['a kept field that is not JSON', '{"info":tru}'],
    ['a trailing comma', '{"info":"x",}'],
    ['unbalanced', '{"images":["AAAA"]]}'],
    ['an object for the images', '{"images":{"a":"AAAA"}}'],
  ])('refuses %s', async (_name, text) => {
    await expect(readImageJson(response(text, [2]), 'images', ['info'])).rejects.toThrow();
  });

  it('refuses with ImageJsonError what is not a JSON object', async () => {
    await expect(readImageJson(response('<html>', [4]), 'images', [])).rejects.toBeInstanceOf(ImageJsonError);
  });
});
