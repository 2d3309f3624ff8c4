/** Reading providers' answers: sizes from image headers (checked against images photon really encodes) and base64. */

import { describe, expect, it } from 'vitest';
import { PhotonImage } from '../../src/images/photon';
import { decodeBase64, imageDimensions } from '../../src/providers/sniff';

function encode(width: number, height: number, as: (image: PhotonImage) => Uint8Array): Uint8Array {
  const image = new PhotonImage(new Uint8Array(width * height * 4).fill(200), width, height);
  try {
    return as(image);
  } finally {
    image.free();
  }
}

describe('imageDimensions', () => {
  it.each([
    ['PNG', (i: PhotonImage) => i.get_bytes()],
    ['JPEG', (i: PhotonImage) => i.get_bytes_jpeg(80)],
    ['WebP (lossless)', (i: PhotonImage) => i.get_bytes_webp()],
  ])('reads a %s header', (_, as) => {
    expect(imageDimensions(encode(37, 5, as))).toEqual({ width: 37, height: 5 });
    expect(imageDimensions(encode(300, 1201, as))).toEqual({ width: 300, height: 1201 });
  });

  it('reads lossy WebP, extended WebP and GIF headers', () => {
    const riff = (chunk: string, body: number[]) =>
      new Uint8Array(
        [...'RIFF']
          .map((c) => c.charCodeAt(0))
          .concat(
            [0, 0, 0, 0],
            [...`WEBP${chunk}`].map((c) => c.charCodeAt(0)),
            body,
          ),
      );
    // VP8: chunk size, frame tag, start code 9d 01 2a, then 14-bit width and height.
    const vp8 = riff('VP8 ', [0, 0, 0, 0, 0, 0, 0, 0x9d, 0x01, 0x2a, 0x20, 0x03, 0x58, 0x02]);
    expect(imageDimensions(vp8)).toEqual({ width: 800, height: 600 });
    // VP8X: chunk size, flags and reserved, then 24-bit width-1 and height-1.
    const vp8x = riff('VP8X', [10, 0, 0, 0, 0, 0, 0, 0, 0xff, 0x0f, 0, 0x37, 0x04, 0]);
    expect(imageDimensions(vp8x)).toEqual({ width: 4096, height: 1080 });
    const gif = new Uint8Array([...'GIF89a'].map((c) => c.charCodeAt(0)).concat([0x40, 0x01, 0xf0, 0x00]));
    expect(imageDimensions(gif)).toEqual({ width: 320, height: 240 });
  });

  it('answers null for other bytes and cut-short headers', () => {
    expect(imageDimensions(new Uint8Array(64).fill(7))).toBeNull();
    expect(imageDimensions(encode(10, 10, (i) => i.get_bytes()).slice(0, 20))).toBeNull();
    expect(imageDimensions(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]))).toBeNull();
  });
});

describe('decodeBase64', () => {
  const bytes = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256);
  const reference = (b: Uint8Array) => btoa(String.fromCharCode(...b));

  it('decodes what btoa encodes, at every length, padded or not, with a data: prefix or line breaks', () => {
    for (const length of [0, 1, 2, 3, 4, 5, 4096, 5000]) {
      const slice = bytes.subarray(0, length);
      const encoded = reference(slice);
      expect(decodeBase64(encoded), `length ${length}`).toEqual(slice);
      expect(decodeBase64(encoded.replace(/=+$/, '')), `length ${length} unpadded`).toEqual(slice);
      expect(decodeBase64(`data:image/png;base64,${encoded}`)).toEqual(slice);
      expect(decodeBase64(encoded.replace(/(.{76})/g, '$1\n'))).toEqual(slice);
    }
  });

  it('refuses what is not base64', () => {
    expect(() => decodeBase64('%%% not base64 %%%')).toThrow();
    expect(() => decodeBase64(`${reference(bytes)}*`)).toThrow();
  });
});
