/**
 * Palette images (PNG colour type 3, 8 bits per pixel) drawn by spans and encoded with the runtime's own
 * zlib (node:zlib under nodejs_compat: https://developers.cloudflare.com/workers/runtime-apis/nodejs/zlib/).
 * One byte per pixel and long runs of one colour make the placeholder's pictures cheap to draw and to
 * compress, where an RGBA image through a WASM encoder costs tens of milliseconds of CPU at 1024².
 * Format: PNG specification, 3rd edition (https://www.w3.org/TR/png-3/), §5 chunks, §11.2 IHDR/PLTE.
 */
import { crc32, deflateSync } from 'node:zlib';
import type { Rect } from './fixed-font';

/**
 * zlib level 3: on these pictures it compresses four times faster than the default 6 for about half again
 * the bytes (1024²: 1.1 ms and 24 KB against 4.6 ms and 16 KB, Node 22 on the bench machine).
 */
const DEFLATE_LEVEL = 3;

export type Rgb = readonly [number, number, number];

export class IndexedCanvas {
  /** Scanlines as PNG stores them before compression: a filter byte (0, none) then one index per pixel. */
  readonly scanlines: Uint8Array;
  private readonly stride: number;
  private readonly palette: number[] = [];
  private readonly indices = new Map<number, number>();

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.stride = width + 1;
    this.scanlines = new Uint8Array(this.stride * height);
  }

  /** The palette index of a colour, added on first use (at most 256). */
  colour([r, g, b]: Rgb): number {
    const key = (Math.round(r) << 16) | (Math.round(g) << 8) | Math.round(b);
    let index = this.indices.get(key);
    if (index === undefined) {
      index = this.indices.size;
      if (index > 255) throw new RangeError('an indexed PNG holds at most 256 colours');
      this.indices.set(key, index);
      this.palette.push(key >> 16, (key >> 8) & 0xff, key & 0xff);
    }
    return index;
  }

  /** Pixels [x0, x1) of row y, clipped to the canvas. */
  span(y: number, x0: number, x1: number, index: number): void {
    if (y < 0 || y >= this.height) return;
    const from = Math.max(0, Math.round(x0));
    const to = Math.min(this.width, Math.round(x1));
    if (to <= from) return;
    const row = y * this.stride + 1;
    this.scanlines.fill(index, row + from, row + to);
  }

  rect({ x, y, w, h }: Rect, index: number): void {
    for (let row = Math.max(0, y); row < Math.min(this.height, y + h); row++) this.span(row, x, x + w, index);
  }

  png(): Uint8Array {
    return pngFile(this.width, this.height, 3, this.scanlines, Uint8Array.from(this.palette));
  }
}

/**
 * An 8-bit PNG file of scanlines (each row a filter byte, 0, then its pixels): colour type 0 (gray), 3
 * (palette, given as RGB triples) or 4 (gray and alpha).
 */
export function pngFile(
  width: number,
  height: number,
  colourType: 0 | 3 | 4,
  scanlines: Uint8Array,
  palette?: Uint8Array,
): Uint8Array {
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, colourType, 0, 0, 0], 8); // bit depth 8, colour type, deflate, adaptive filters, no interlace
  const parts = [
    Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
    chunk('IHDR', header),
    ...(palette ? [chunk('PLTE', palette)] : []),
    chunk('IDAT', deflateSync(scanlines, { level: DEFLATE_LEVEL })),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}
