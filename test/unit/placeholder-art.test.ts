/**
 * The placeholder's picture, decoded by an independent PNG decoder (photon): the right size, the caption's
 * letters drawn cleanly (black only as a thin outline around white), every character drawable.
 */

import { describe, expect, it } from 'vitest';
import { GLYPH_HEIGHT, GLYPH_WIDTH, textRects } from '../../src/images/fixed-font';
import { PhotonImage } from '../../src/images/photon';
import { captionScale, renderArt } from '../../src/providers/placeholder-art';

function decode(png: Uint8Array) {
  const image = PhotonImage.new_from_byteslice(png);
  try {
    return { width: image.get_width(), height: image.get_height(), rgba: image.get_raw_pixels() };
  } finally {
    image.free();
  }
}

type Decoded = ReturnType<typeof decode>;
const pixel = ({ rgba, width }: Decoded, x: number, y: number) => {
  const i = (y * width + x) * 4;
  return [rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]];
};
const isWhite = (p: (number | undefined)[]) => p[0] === 255 && p[1] === 255 && p[2] === 255;
const isBlack = (p: (number | undefined)[]) => p[0] === 0 && p[1] === 0 && p[2] === 0;

describe('placeholder art', () => {
  it('is a palette PNG of the asked size that any decoder reads, opaque everywhere', () => {
    for (const [width, height] of [
      [1024, 1024],
      [64, 64],
      [1536, 640],
      [72, 2048],
    ] as const) {
      const png = renderArt('a red bicycle', 7, width, height);
      expect(png[25], 'colour type').toBe(3);
      const image = decode(png);
      expect([image.width, image.height]).toEqual([width, height]);
      for (let i = 3; i < image.rgba.length; i += 4 * 997) expect(image.rgba[i]).toBe(255);
    }
  });

  it('writes the prompt in white letters with only a thin black outline: no blocks behind the text', () => {
    const [width, height] = [512, 512];
    const image = decode(renderArt('Lorem ipsum dolor sit amet, consectetur adipiscing elit', 3, width, height));
    const { scale, margin } = captionScale(width, height);
    const grow = Math.max(1, Math.round(scale / 2));
    let white = 0;
    let black = 0;
    for (let y = 0; y < margin + 4 * (GLYPH_HEIGHT + 2) * scale; y++) {
      for (let x = 0; x < width; x++) {
        const p = pixel(image, x, y);
        if (isWhite(p)) white++;
        if (!isBlack(p)) continue;
        black++;
        // Every black pixel lies within the outline's width of a white one.
        let near = false;
        for (let dy = -grow; dy <= grow && !near; dy++) {
          for (let dx = -grow; dx <= grow && !near; dx++) {
            const [nx, ny] = [x + dx, y + dy];
            near = nx >= 0 && ny >= 0 && nx < width && ny < height && isWhite(pixel(image, nx, ny));
          }
        }
        expect(near, `black pixel at ${x},${y} away from any letter`).toBe(true);
      }
    }
    expect(white).toBeGreaterThan(500);
    expect(black).toBeGreaterThan(0);
    // The letter "L" at the caption's start: its stem is white from top to bottom.
    const stem = textRects('L', margin, margin, scale)[0];
    expect(stem).toBeDefined();
    if (stem) expect(isWhite(pixel(image, stem.x, stem.y + scale))).toBe(true);
  });

  it('draws any text: characters outside the font become "?" rather than failing', () => {
    expect(() => renderArt('猫 🐈 Ωμέγα — café “quoted” …', 1, 256, 256)).not.toThrow();
    const question = textRects('?', 0, 0, 1);
    expect(textRects('猫', 0, 0, 1)).toEqual(question);
    expect(textRects('🐈', 0, 0, 1)).toEqual(question);
    expect(textRects('é', 0, 0, 1)).not.toEqual(textRects('e', 0, 0, 1));
    // A glyph stays inside its cell.
    for (const rect of textRects('Wg|', 0, 0, 2)) {
      expect(rect.y + rect.h).toBeLessThanOrEqual(GLYPH_HEIGHT * 2);
      expect(rect.x + rect.w).toBeLessThanOrEqual(3 * GLYPH_WIDTH * 2);
    }
  });
});
