/**
 * Edit masks. Callers mark the areas to repaint either as transparent pixels (as OpenAI takes them) or, in
 * a fully opaque mask, as white ones (as Stable Diffusion takes them); providers differ, so the mask is
 * decoded once and re-encoded in both conventions (see EditMask). The pixel rules are pure functions.
 * Memory: the decoded mask is freed as soon as its coverage (one byte a pixel) is read, and both masks are
 * written as gray PNGs (1 and 2 bytes a pixel) without going back through photon: bench scenario 8 measured
 * the former RGBA path at 45 MB per megapixel.
 */
import type { EditMask, InputImage } from '../providers/types';
import { decodeImage } from './decode';
import { pngFile } from './indexed-png';

export const REPAINT = 255;

/**
 * One byte per pixel, REPAINT where the mask asks for a change: where alpha is below half when the mask
 * has any transparency, otherwise where it is light (luma at least half).
 */
export function maskCoverage(rgba: Uint8Array): Uint8Array {
  const pixels = rgba.length / 4;
  let transparent = false;
  for (let i = 0; i < pixels && !transparent; i++) transparent = rgba[i * 4 + 3]! < 255;
  const out = new Uint8Array(pixels);
  for (let i = 0; i < pixels; i++) {
    const o = i * 4;
    const repaint = transparent
      ? rgba[o + 3]! < 128
      : 0.299 * rgba[o]! + 0.587 * rgba[o + 1]! + 0.114 * rgba[o + 2]! >= 128;
    out[i] = repaint ? REPAINT : 0;
  }
  return out;
}

/**
 * PNG scanlines of a coverage `width` pixels wide: gray, white where to repaint ('opaque'), or gray and alpha,
 * black everywhere and transparent where to repaint ('alpha').
 */
export function coverageScanlines(coverage: Uint8Array, width: number, convention: 'opaque' | 'alpha'): Uint8Array {
  const channels = convention === 'opaque' ? 1 : 2;
  const stride = 1 + width * channels;
  const height = coverage.length / width;
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const row = y * stride + 1;
    for (let x = 0; x < width; x++) {
      const repaint = coverage[y * width + x] === REPAINT;
      if (channels === 1) out[row + x] = repaint ? 255 : 0;
      else out[row + 2 * x + 1] = repaint ? 0 : 255;
    }
  }
  return out;
}

/** The coverage of a stored mask fitted to width x height; the decoded images are freed before it returns. */
async function coverageOf(bytes: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  let image = await decodeImage(bytes, 'mask');
  try {
    if (image.get_width() !== width || image.get_height() !== height) {
      const photon = await import('./photon');
      const resized = photon.resize(image, width, height, photon.SamplingFilter.Nearest);
      image.free();
      image = resized;
    }
    return maskCoverage(image.get_raw_pixels());
  } finally {
    image.free();
  }
}

/**
 * Decodes a stored mask, fits it to the edited image's size and encodes it both ways. Throws a plain
 * Error for bytes that are no image, and when the mask marks nothing to repaint.
 */
export async function prepareMask(bytes: Uint8Array, width: number, height: number): Promise<EditMask> {
  const coverage = await coverageOf(bytes, width, height);
  if (!coverage.includes(REPAINT))
    throw new Error('The mask marks nothing to repaint: make the areas to change transparent or white.');
  const encode = (convention: 'opaque' | 'alpha'): InputImage => ({
    bytes: pngFile(width, height, convention === 'opaque' ? 0 : 4, coverageScanlines(coverage, width, convention)),
    contentType: 'image/png',
    width,
    height,
  });
  return { opaque: encode('opaque'), alpha: encode('alpha') };
}
