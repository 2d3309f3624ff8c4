/**
 * Taking base64 images out of a JSON answer as it streams (src/providers/images-in-json.ts): the bytes come out
 * whole however the body is cut, the text left behind parses to the same answer with references in place of
 * the images, and what is not an image is skipped rather than kept.
 */
import { describe, expect, it } from 'vitest';
import {
  ImagesInJsonError,
  type ImagesInJsonOptions,
  imageFor,
  OMITTED,
  readImagesInJson,
} from '../../src/providers/images-in-json';
import { encodeBase64 } from '../../src/providers/sniff';

function randomBytes(n: number): Uint8Array {
  const bytes = new Uint8Array(n);
  for (let at = 0; at < n; at += 65536) crypto.getRandomValues(bytes.subarray(at, Math.min(n, at + 65536)));
  return bytes;
}

/** A body cut into pieces of `size` bytes, as a plain (not byte) stream. */
function cut(text: string, size: number): Response {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
  return new Response(body);
}

const SD: ImagesInJsonOptions = { imageKeys: ['images'], maxImages: 1, inlineLimit: 1024 };

describe('readImagesInJson', () => {
  const image = randomBytes(200_000);
  const input = randomBytes(150_000);
  const info = JSON.stringify({ seed: 7, prompt: 'a "quoted" fox\n', width: 64 });
  const answer = JSON.stringify({
    images: [encodeBase64(image)],
    parameters: { prompt: 'fox', init_images: [encodeBase64(input)], steps: 20 },
    info,
  });

  it('decodes the image and skips the rest, however the body is cut', async () => {
    for (const size of [1001, 4095, 65_537, answer.length]) {
      const read = await readImagesInJson(cut(answer, size), SD);
      expect(read.images).toHaveLength(1);
      expect(read.images[0]!).toEqual(image);
      const parsed = JSON.parse(read.text);
      expect(imageFor(parsed.images[0], read.images)).toEqual(image);
      expect(parsed.parameters).toEqual({ prompt: 'fox', init_images: [OMITTED], steps: 20 });
      expect(parsed.info).toBe(info);
      expect(read.text.length).toBeLessThan(500);
    }
  });

  it('survives a body that arrives a byte at a time', async () => {
    const small = randomBytes(6000);
    const text = JSON.stringify({ images: [encodeBase64(small)], parameters: { init_images: ['QUJD'.repeat(400)] } });
    const read = await readImagesInJson(cut(text, 1), SD);
    expect(read.images[0]!).toEqual(small);
    expect(JSON.parse(read.text).parameters.init_images).toEqual([OMITTED]);
  });

  it('reads a byte stream into its own buffer, sized from the length', async () => {
    const read = await readImagesInJson(
      new Response(answer, { headers: { 'content-length': String(answer.length) } }),
      SD,
    );
    expect(read.images[0]!).toEqual(image);
  });

  it('keeps short strings, images included, as they are', async () => {
    const small = encodeBase64(randomBytes(300));
    const text = JSON.stringify({ images: [small], info: '{}' });
    const read = await readImagesInJson(cut(text, 7), SD);
    expect(read).toEqual({ text, images: [] });
    expect(imageFor(small, read.images)).toBeNull();
  });

  it('decodes only as many images as asked, and every one when unbounded', async () => {
    const second = randomBytes(50_000);
    const two = JSON.stringify({ images: [encodeBase64(image), encodeBase64(second)], info: '{}' });
    const first = await readImagesInJson(cut(two, 5000), SD);
    expect(first.images).toHaveLength(1);
    expect(JSON.parse(first.text).images[1]).toBe(OMITTED);
    const all = await readImagesInJson(cut(two, 5000), { ...SD, maxImages: undefined });
    expect(all.images[1]!).toEqual(second);
    expect(imageFor(JSON.parse(all.text).images[1], all.images)).toEqual(second);
  });

  it('finds images by the key they belong to, nested as in a Gemini answer', async () => {
    const gemini = JSON.stringify({
      candidates: [
        {
          content: {
            parts: [
              { text: 'x'.repeat(5000) },
              { inlineData: { mimeType: 'image/png', data: encodeBase64(image) }, thoughtSignature: 'c2ln' },
            ],
          },
          finishReason: 'STOP',
        },
      ],
      modelVersion: 'm',
    });
    const read = await readImagesInJson(cut(gemini, 777), { imageKeys: ['data'], inlineLimit: 1024 });
    const parsed = JSON.parse(read.text);
    expect(parsed.candidates[0].content.parts[0].text).toBe(OMITTED);
    expect(imageFor(parsed.candidates[0].content.parts[1].inlineData.data, read.images)).toEqual(image);
    expect(parsed.candidates[0].content.parts[1].thoughtSignature).toBe('c2ln');
    expect(parsed.modelVersion).toBe('m');
  });

  it('reads escaped slashes and wrapped lines inside an image, and escaped quotes in what it skips', async () => {
    const base64 = encodeBase64(image.subarray(0, 12_000));
    const wrapped = (base64.match(/.{1,76}/g) ?? []).join('\n');
    const text = `{"note": ${JSON.stringify(`say "hi" ${'y'.repeat(3000)}`)}, "images": ["${wrapped
      .replaceAll('/', '\\/')
      .replaceAll('\n', '\\n')}"], "info": "{}"}`;
    for (const size of [1, 2, 999]) {
      const read = await readImagesInJson(cut(text, size), SD);
      expect(read.images[0]!).toEqual(image.subarray(0, 12_000));
      expect(JSON.parse(read.text)).toEqual({ note: OMITTED, images: [expect.any(String)], info: '{}' });
    }
  });

  it('reads every ending: one or two bytes past a whole group, padded or not', async () => {
    for (const extra of [0, 1, 2]) {
      const bytes = randomBytes(3000 + extra);
      const padded = encodeBase64(bytes);
      for (const base64 of [padded, padded.replace(/=+$/, '')]) {
        const read = await readImagesInJson(cut(JSON.stringify({ images: [base64] }), 1001), SD);
        expect(read.images[0]!).toEqual(bytes);
      }
    }
  });

  it('grows its output past a wrong guess, and refuses what goes on after the padding', async () => {
    const text = JSON.stringify({ images: [encodeBase64(image)] });
    // A length that promises far less than the image: the output grows in place.
    const read = await readImagesInJson(new Response(text, { headers: { 'content-length': '4000' } }), SD);
    expect(read.images[0]!).toEqual(image);
    const after = JSON.stringify({ images: [`${encodeBase64(randomBytes(3001))}QUJD`] });
    await expect(readImagesInJson(cut(after, 500), SD)).rejects.toThrow(/after its padding/);
  });

  it('hands the first image on in whole parts once it holds two, keeping what comes after them', async () => {
    const parts: Uint8Array[] = [];
    const spill = {
      partBytes: 10_000,
      written: 0,
      head: undefined as Uint8Array | undefined,
      async write(part: Uint8Array) {
        expect(part.length).toBe(10_000);
        this.head ??= part.slice(0, 100);
        parts.push(part.slice());
        this.written += part.length;
      },
    };
    const second = randomBytes(40_000);
    const text = JSON.stringify({ images: [encodeBase64(image), encodeBase64(second)], info: '{}' });
    const read = await readImagesInJson(cut(text, 4095), { ...SD, maxImages: 2, spill });
    const rest = read.images[0]!;
    expect(rest.length).toBeLessThan(2 * 10_000 + 4095);
    expect(parts.length).toBe((image.length - rest.length) / 10_000);
    const whole = new Uint8Array(image.length);
    for (const [i, part] of parts.entries()) whole.set(part, i * 10_000);
    whole.set(rest, spill.written);
    expect(whole).toEqual(image);
    expect(spill.head).toEqual(image.subarray(0, 100));
    // Only the first image spills; the second is held whole.
    expect(read.images[1]!).toEqual(second);

    const small = randomBytes(15_000);
    const none = { ...spill, written: 0, head: undefined };
    const held = await readImagesInJson(cut(JSON.stringify({ images: [encodeBase64(small)] }), 999), {
      ...SD,
      spill: none,
    });
    expect(none.written).toBe(0);
    expect(held.images[0]!).toEqual(small);
  });

  it('ends a key at any string followed by a colon, and keeps the strings of keepKeys whole', async () => {
    const long = 'k'.repeat(300);
    const text = JSON.stringify({ images: 'x', [long]: encodeBase64(image), info: 'i'.repeat(5000) });
    const read = await readImagesInJson(cut(text, 997), { ...SD, keepKeys: ['info'] });
    expect(read.images).toEqual([]);
    expect(JSON.parse(read.text)).toEqual({ images: 'x', [long]: OMITTED, info: 'i'.repeat(5000) });
  });

  it('refuses an image that is not base64, an escape base64 has no use for, and a text too large', async () => {
    const bad = JSON.stringify({ images: [`${'A'.repeat(4000)}*${'A'.repeat(4000)}`] });
    await expect(readImagesInJson(cut(bad, 100), SD)).rejects.toThrow(ImagesInJsonError);
    const escaped = `{"images": ["${'A'.repeat(4000)}\\t${'A'.repeat(4000)}"]}`;
    await expect(readImagesInJson(cut(escaped, 100), SD)).rejects.toThrow(/escape/);
    const long = JSON.stringify({ many: Array.from({ length: 3000 }, (_, i) => `item ${i}`) });
    await expect(readImagesInJson(cut(long, 100), { ...SD, maxText: 10_000 })).rejects.toThrow(/larger/);
  });

  it('says when the answer stops inside a string, and leaves other JSON errors to the parser', async () => {
    await expect(readImagesInJson(cut('{"images": ["AAAA', 3), SD)).rejects.toThrow(/ended inside a string/);
    const read = await readImagesInJson(cut('{"images": [', 3), SD);
    expect(() => JSON.parse(read.text)).toThrow(SyntaxError);
  });
});
