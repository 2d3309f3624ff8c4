/**
 * Edits for the placeholder provider: no model, but a real image-to-image operation, so edit_image works
 * offline and its result visibly comes from the source. The first source is resized to the planned size
 * and tinted (inside the mask, if any) by a colour drawn from the prompt, as far as the strength says;
 * further sources are laid on it as thumbnails; the prompt is written on top. Deterministic.
 */
import { decodeImage } from '../images/decode';
import type { Rect } from '../images/fixed-font';
import type { Rgb } from '../images/indexed-png';
import { REPAINT } from '../images/mask';
import { captionLines, hash32, paintCaption } from './placeholder-art';
import type { GeneratedImage, GenerationRequest, InputImage } from './types';

/** Without a strength, half way. */
export const DEFAULT_STRENGTH = 0.5;

/** The tint for a prompt and seed: a saturated colour, the same every time. */
export function tintColour(prompt: string, seed: number): [number, number, number] {
  const h = hash32(`${seed}:${prompt}`);
  const channel = (shift: number) => 64 + ((h >>> shift) & 0xbf);
  return [channel(0), channel(8), channel(16)];
}

/** RGBA pixels blended toward `colour` by `amount` (0–1), only where `coverage` is REPAINT when given. */
export function tintPixels(
  pixels: Uint8Array,
  coverage: Uint8Array | null,
  colour: readonly [number, number, number],
  amount: number,
): Uint8Array {
  const out = new Uint8Array(pixels);
  for (let i = 0; i < pixels.length / 4; i++) {
    if (coverage && coverage[i] !== REPAINT) continue;
    for (let c = 0; c < 3; c++) {
      const o = i * 4 + c;
      out[o] = Math.round(pixels[o]! + (colour[c]! - pixels[o]!) * amount);
    }
  }
  return out;
}

/** Paints an opaque rectangle, clipped, into RGBA pixels. */
function fillRgba(pixels: Uint8Array, width: number, height: number, rect: Rect, [r, g, b]: Rgb): void {
  const x0 = Math.max(0, rect.x);
  const x1 = Math.min(width, rect.x + rect.w);
  for (let y = Math.max(0, rect.y); y < Math.min(height, rect.y + rect.h); y++) {
    for (let x = x0; x < x1; x++) pixels.set([r, g, b, 255], (y * width + x) * 4);
  }
}

export async function placeholderEdit(request: GenerationRequest, seed: number): Promise<GeneratedImage> {
  const [first, ...others] = request.images ?? [];
  if (!first) throw new Error('placeholderEdit needs a source image');
  const { width, height, prompt } = request;
  const photon = await import('../images/photon');
  const decode = async (image: InputImage, what: string, w: number, h: number) => {
    const decoded = await decodeImage(image.bytes, what);
    if (decoded.get_width() === w && decoded.get_height() === h) return decoded;
    const resized = photon.resize(decoded, w, h, photon.SamplingFilter.Triangle);
    decoded.free();
    return resized;
  };
  const source = await decode(first, 'source image', width, height);
  let pixels: Uint8Array;
  try {
    let coverage: Uint8Array | null = null;
    if (request.mask) {
      const mask = await decode(request.mask.opaque, 'mask', width, height);
      const rgba = mask.get_raw_pixels();
      mask.free();
      // The opaque mask is white where to repaint: its red channel is the coverage.
      coverage = Uint8Array.from({ length: width * height }, (_, i) => (rgba[i * 4]! >= 128 ? REPAINT : 0));
    }
    const amount = (request.strength ?? DEFAULT_STRENGTH) * 0.8;
    pixels = tintPixels(source.get_raw_pixels(), coverage, tintColour(prompt, seed), amount);
  } finally {
    source.free();
  }
  paintCaption(captionLines(`edit: ${prompt}`, width, height, 2), width, height, (rect, colour) =>
    fillRgba(pixels, width, height, rect, colour),
  );
  const image = new photon.PhotonImage(pixels, width, height);
  try {
    const side = Math.max(8, Math.floor(Math.min(width, height) / 5));
    for (const [i, other] of others.entries()) {
      const thumb = await decode(other, `image ${i + 2}`, side, side);
      const x = width - (i + 1) * (side + 4);
      if (x >= 0) photon.watermark(image, thumb, BigInt(x), BigInt(height - side - 4));
      thumb.free();
    }
    return { bytes: image.get_bytes(), contentType: 'image/png', width, height, model: 'placeholder', seed };
  } finally {
    image.free();
  }
}
