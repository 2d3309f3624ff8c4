/** Turns `width`/`height` or `aspect_ratio` into a concrete size a provider can make, or says why not. */
import { AppError } from '../errors';
import type { ProviderCapabilities } from './types';

export interface SizeRequest {
  width?: number | undefined;
  height?: number | undefined;
  aspect_ratio?: string | undefined;
}

export const DEFAULT_SIDE = 1024;

function snap(value: number, step: number): number {
  return Math.max(step, Math.round(value / step) * step);
}

export function parseAspectRatio(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*[:x/]\s*(\d+(?:\.\d+)?)\s*$/.exec(text);
  const w = Number(match?.[1]);
  const h = Number(match?.[2]);
  if (!match || !(w > 0) || !(h > 0) || w / h > 8 || h / w > 8) {
    throw new AppError('bad_request', `aspect_ratio "${text}" is not a ratio like 16:9, 1:1 or 3:4 (at most 8:1).`);
  }
  return w / h;
}

export function resolveSize(request: SizeRequest, caps: ProviderCapabilities): { width: number; height: number } {
  const { width, height, aspect_ratio } = request;
  if (aspect_ratio !== undefined && (width !== undefined || height !== undefined)) {
    throw new AppError('bad_request', 'Give either width/height or aspect_ratio, not both.');
  }
  let w: number;
  let h: number;
  if (aspect_ratio !== undefined) {
    const ratio = parseAspectRatio(aspect_ratio);
    // The long side keeps the default size, the short side follows the ratio.
    w = ratio >= 1 ? DEFAULT_SIDE : DEFAULT_SIDE * ratio;
    h = ratio >= 1 ? DEFAULT_SIDE / ratio : DEFAULT_SIDE;
    w = snap(Math.max(caps.minSide, w), caps.sizeStep);
    h = snap(Math.max(caps.minSide, h), caps.sizeStep);
  } else {
    w = width ?? (height !== undefined ? height : DEFAULT_SIDE);
    h = height ?? (width !== undefined ? width : DEFAULT_SIDE);
    for (const [name, value] of [
      ['width', w],
      ['height', h],
    ] as const) {
      if (value < caps.minSide || value > caps.maxSide) {
        throw new AppError(
          'bad_request',
          `${name} ${value} is outside this provider's range ${caps.minSide}–${caps.maxSide} px.`,
        );
      }
    }
    w = snap(w, caps.sizeStep);
    h = snap(h, caps.sizeStep);
  }
  return { width: Math.min(w, caps.maxSide), height: Math.min(h, caps.maxSide) };
}
