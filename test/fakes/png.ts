/** Real, decodable PNG and JPEG bytes for the fakes, made with Node's zlib (no image library needed). */
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** An 8-bit RGB PNG of `raw`: its rows, each a filter byte then three bytes a pixel. */
function rgbPng(width: number, height: number, raw: Buffer, level?: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, level === undefined ? {} : { level })),
    chunk('IEND', new Uint8Array()),
  ]);
}

/** An RGB PNG whose pixel (x, y) takes the colour of the quadrant it lies in (top-left, top-right, bottom-left, bottom-right). */
export function quadrantsPng(width: number, height: number, colours: ReadonlyArray<[number, number, number]>): Buffer {
  const rowOf = (top: boolean) => {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) row.set(colours[(top ? 0 : 2) + (x < width / 2 ? 0 : 1)]!, 1 + x * 3);
    return row;
  };
  const [top, bottom] = [rowOf(true), rowOf(false)];
  return rgbPng(
    width,
    height,
    Buffer.concat(Array.from({ length: height }, (_, y) => (y < height / 2 ? top : bottom))),
  );
}

/** An RGB PNG of the given size in one colour. */
export function tinyPng(width = 1, height = 1, rgb: [number, number, number] = [200, 80, 40]): Buffer {
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x++) row.set(rgb, 1 + x * 3);
  return rgbPng(width, height, Buffer.concat(Array.from({ length: height }, () => row)));
}

const noisy = new Map<string, Buffer>();

/**
 * An RGB PNG of the given size whose pixels are noise, so that it does not compress: about the byte size of a
 * real model's PNG of that size (a photo-like 1024² PNG is 1.5–3 MB), for measuring what a provider's answer
 * costs the Worker to take in. Made once per size.
 */
export function noisyPng(width: number, height: number): Buffer {
  const key = `${width}x${height}`;
  const made = noisy.get(key);
  if (made) return made;
  let state = 0x9e3779b9;
  const raw = Buffer.alloc(height * (1 + width * 3));
  for (let i = 0; i < raw.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    raw[i] = i % (1 + width * 3) === 0 ? 0 : state & 0xff;
  }
  // Noise does not compress whatever the level: the fastest will do.
  const png = rgbPng(width, height, raw, 1);
  noisy.set(key, png);
  return png;
}

/** The smallest well-formed baseline JPEG header bytes providers would return (SOI + APP0 + EOI). */
export function jpegBytes(): Buffer {
  return Buffer.from([
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
    0x00, 0xff, 0xd9,
  ]);
}
