/** Sizes read from image headers, checked against images that photon really encodes. */
import { PhotonImage } from '@cf-wasm/photon';
import { describe, expect, it } from 'vitest';
import { imageDimensions } from '../../src/providers/sniff';

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
