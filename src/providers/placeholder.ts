/**
 * The placeholder provider: free, offline and deterministic for a given prompt and seed. It draws real PNGs
 * of the requested size (see placeholder-art.ts) with the prompt written on them, without WASM, optionally after a fixed
 * delay so tests and benchmarks can stand in for a slow model. Edits work on the source's real pixels
 * (see placeholder-edit.ts).
 */
import { MAX_DECODE_PIXELS } from '../images/decode';
import { hash32, renderArt } from './placeholder-art';
import { placeholderEdit } from './placeholder-edit';
import type { GeneratedImage, GenerationContext, GenerationRequest, ImageProvider, ModelInfo } from './types';

export const PLACEHOLDER_MODEL: ModelInfo = {
  id: 'placeholder',
  label: 'Placeholder (offline test pattern)',
  lifecycle: 'current',
  capabilities: {
    // Within the decode bound, so its images (and its edits, drawn in RGBA) never need a working copy.
    sizes: { kind: 'range', min: 64, max: 2048, step: 8, maxPixels: MAX_DECODE_PIXELS },
    qualities: [],
    formats: [],
    backgrounds: [],
    negativePrompt: true,
    seed: true,
    steps: null,
    // Edits tint the source (within the mask) by a colour drawn from the prompt; see placeholder-edit.ts.
    imageInput: true,
    maxInputImages: 4,
    mask: true,
    strength: true,
    maxPromptChars: 4000,
  },
  style: {
    strengths: ['instant, free and offline', 'deterministic: same prompt and seed give the same image'],
    promptGrammar: 'natural-language',
    goodExample: 'a red bicycle leaning on a wall',
    badExample: 'expects a real picture: it draws a colour pattern with the prompt written on it',
  },
  costUsd: 0,
};

function abortable(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

export class PlaceholderProvider implements ImageProvider {
  readonly id = 'placeholder';
  readonly label = 'Placeholder';
  readonly catalogue = [PLACEHOLDER_MODEL];
  readonly defaultModel = 'placeholder';
  readonly timeoutMs = 120_000;

  constructor(private readonly delayMs = 0) {}

  async generate(request: GenerationRequest, ctx: GenerationContext): Promise<GeneratedImage> {
    if (this.delayMs > 0) await abortable(this.delayMs, ctx.signal);
    const { width, height, prompt } = request;
    const seed = request.seed ?? hash32(prompt);
    if (request.images?.length) return placeholderEdit(request, seed);
    const bytes = renderArt(prompt, seed, width, height);
    return { bytes, contentType: 'image/png', width, height, model: 'placeholder', seed };
  }
}
