/**
 * Source images the harness stores itself (scenario 8), encoded by libvips as a real encoder would. A PNG's
 * byte size drives what reading, base64 and JSON cost, so a flat test image would flatter every path, and the
 * fakes' noise (3 bytes a pixel) is the worst case: a 4096² one is over the 25 MB transforms accept. The photo
 * stand-in is smooth gradients with a little noise, about 1.5 bytes a pixel, like a photo-like PNG.
 */
import sharp from 'sharp';

const made = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();

function once(key: string, make: () => Promise<Buffer>): Promise<Uint8Array<ArrayBuffer>> {
  const png = made.get(key) ?? make().then((b) => new Uint8Array(b));
  made.set(key, png);
  return png;
}

function encode(raw: Buffer, side: number): Promise<Buffer> {
  return sharp(raw, { raw: { width: side, height: side, channels: 3 } })
    .png({ compressionLevel: 6, adaptiveFiltering: true })
    .toBuffer();
}

/** An RGB PNG of side² pixels: gradients in each channel plus noise of ±4 levels. Made once per size. */
export function photoPng(side: number): Promise<Uint8Array<ArrayBuffer>> {
  return once(`photo ${side}`, () => {
    const raw = Buffer.alloc(side * side * 3);
    let state = 0x9e3779b9;
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const base = [(x * 255) / side, (y * 255) / side, ((x + y) * 127) / side];
        for (let c = 0; c < 3; c++) {
          state ^= state << 13;
          state ^= state >>> 17;
          state ^= state << 5;
          const value = Math.round(base[c]! + ((state >>> 0) % 8) - 4);
          raw[(y * side + x) * 3 + c] = Math.max(0, Math.min(255, value));
        }
      }
    }
    return encode(raw, side);
  });
}

/** An opaque edit mask of side² pixels: white (repaint) on the left half, black on the right. */
export function maskPng(side: number): Promise<Uint8Array<ArrayBuffer>> {
  return once(`mask ${side}`, () => {
    const raw = Buffer.alloc(side * side * 3);
    for (let y = 0; y < side; y++) raw.fill(255, y * side * 3, (y * side + side / 2) * 3);
    return encode(raw, side);
  });
}
