/**
 * Edit masks. Callers mark the areas to repaint either as transparent pixels (as OpenAI takes them) or, in
 * a fully opaque mask, as white ones (as Stable Diffusion takes them); providers differ, so the mask is
 * decoded once and re-encoded in both conventions (see EditMask). The pixel rules are pure functions.
 */
import type { EditMask, InputImage } from '../providers/types';
import { decodeImage } from './decode';

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

/** RGBA pixels of a coverage: white/black and opaque, or black and transparent where to repaint. */
export function coveragePixels(coverage: Uint8Array, convention: 'opaque' | 'alpha'): Uint8Array {
  const out = new Uint8Array(coverage.length * 4);
  for (let i = 0; i < coverage.length; i++) {
    const repaint = coverage[i] === REPAINT;
    const value = convention === 'opaque' && repaint ? 255 : 0;
    out.set([value, value, value, convention === 'alpha' && repaint ? 0 : 255], i * 4);
  }
  return out;
}

/**
 * Decodes a stored mask, fits it to the edited image's size and encodes it both ways. Throws a plain
 * Error for bytes that are no image, and when the mask marks nothing to repaint.
 */
export async function prepareMask(bytes: Uint8Array, width: number, height: number): Promise<EditMask> {
  let image = await decodeImage(bytes, 'mask');
  const photon = await import('@cf-wasm/photon');
  try {
    if (image.get_width() !== width || image.get_height() !== height) {
      const resized = photon.resize(image, width, height, photon.SamplingFilter.Nearest);
      image.free();
      image = resized;
    }
    const coverage = maskCoverage(image.get_raw_pixels());
    if (!coverage.includes(REPAINT))
      throw new Error('The mask marks nothing to repaint: make the areas to change transparent or white.');
    const encode = (convention: 'opaque' | 'alpha'): InputImage => {
      const png = new photon.PhotonImage(coveragePixels(coverage, convention), width, height);
      try {
        return { bytes: png.get_bytes(), contentType: 'image/png', width, height };
      } finally {
        png.free();
      }
    };
    return { opaque: encode('opaque'), alpha: encode('alpha') };
  } finally {
    image.free();
  }
}
