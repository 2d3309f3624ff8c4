/**
 * Fitting a request to one model: what it cannot serve is adapted where that is safe (and the adaptation
 * recorded for the caller), or refused with a message that names what would work. Pure: no I/O.
 */
import { AppError } from '../errors';
import { MAX_DECODE_PIXELS, overDecodeBound } from '../images/decode';
import type { GenerationRequest, ModelInfo, SizeSupport } from './types';

export interface PlanInput {
  prompt: string;
  negative_prompt?: string | undefined;
  width?: number | undefined;
  height?: number | undefined;
  aspect_ratio?: string | undefined;
  seed?: number | undefined;
  steps?: number | undefined;
  quality?: string | undefined;
  output_format?: string | undefined;
  background?: string | undefined;
}

/**
 * An edit's size when the caller names none: the first source's own size where the model makes it,
 * otherwise the model's size nearest the source's shape.
 */
export function sizeFromSource(
  input: PlanInput,
  source: { width: number; height: number },
  sizes: SizeSupport,
): PlanInput {
  if (input.width !== undefined || input.height !== undefined || input.aspect_ratio !== undefined) return input;
  const { width, height } = source;
  const fits =
    sizes.kind === 'range'
      ? [width, height].every((side) => side >= sizes.min && side <= sizes.max && side % sizes.step === 0) &&
        (!sizes.maxPixels || width * height <= sizes.maxPixels)
      : sizes.kind === 'fixed' && sizes.sizes.some(([w, h]) => w === width && h === height);
  if (fits) return { ...input, width, height };
  // Ratios beyond 8:1 are refused by parseAspectRatio; such a source gets the nearest one allowed.
  if (width > 8 * height) return { ...input, aspect_ratio: '8:1' };
  if (height > 8 * width) return { ...input, aspect_ratio: '1:8' };
  return { ...input, aspect_ratio: `${width}:${height}` };
}

export interface Plan {
  request: GenerationRequest;
  adaptations: string[];
}

export const DEFAULT_SIDE = 1024;

export function parseAspectRatio(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*[:x/]\s*(\d+(?:\.\d+)?)\s*$/.exec(text);
  const w = Number(match?.[1]);
  const h = Number(match?.[2]);
  if (!match || !(w > 0) || !(h > 0) || w / h > 8 || h / w > 8) {
    throw new AppError('bad_request', `aspect_ratio "${text}" is not a ratio like 16:9, 1:1 or 3:4 (at most 8:1).`);
  }
  return w / h;
}

const snap = (value: number, step: number) => Math.max(step, Math.round(value / step) * step);

/** The ratio the caller asked for, if any: from aspect_ratio, or from width and height. */
function requestedRatio(input: PlanInput): number | undefined {
  if (input.aspect_ratio !== undefined) return parseAspectRatio(input.aspect_ratio);
  if (input.width !== undefined && input.height !== undefined) return input.width / input.height;
  return undefined;
}

function sizeFromRatio(ratio: number, long = DEFAULT_SIDE): [number, number] {
  return ratio >= 1 ? [long, long / ratio] : [long * ratio, long];
}

interface SizePlan {
  width: number;
  height: number;
  aspectRatio: string | null;
  /** For models with named resolutions: the one chosen. */
  resolution?: string | null;
  adaptation?: string;
}

/**
 * The side of the square of each named resolution. Gemini keeps about that square's pixel count for every
 * ratio, in multiples of 16: 1:1 at 4K is 4096x4096, 16:9 at 4K 5504x3072
 * (ai.google.dev/gemini-api/docs/image-generation, "Aspect ratios and image size").
 */
export const RESOLUTION_LONG_SIDE: Readonly<Record<string, number>> = {
  '512': 512,
  '1K': 1024,
  '2K': 2048,
  '4K': 4096,
};

/** The size a named resolution makes at `ratio`: the square's pixel count, sides rounded to 16. */
export function resolutionSize(resolution: string, ratio: number): [number, number] {
  const side = RESOLUTION_LONG_SIDE[resolution] ?? DEFAULT_SIDE;
  return [Math.round((side * Math.sqrt(ratio)) / 16) * 16, Math.round(side / Math.sqrt(ratio) / 16) * 16];
}

/**
 * The resolution for a requested long side: the smallest that reaches it, else the largest offered; without
 * a requested size, the model's first (its default).
 */
function pickResolution(resolutions: readonly string[], long: number | undefined): string {
  const bySize = [...resolutions].sort((a, b) => (RESOLUTION_LONG_SIDE[a] ?? 0) - (RESOLUTION_LONG_SIDE[b] ?? 0));
  if (long === undefined) return resolutions[0]!;
  return bySize.find((r) => (RESOLUTION_LONG_SIDE[r] ?? 0) >= long) ?? bySize.at(-1)!;
}

/** The most pixels a model's sizes allow, and how to ask for them (for list_providers' large-image note). */
export function largestSize(sizes: SizeSupport): { pixels: number; label: string } {
  switch (sizes.kind) {
    case 'range': {
      const pixels = Math.min(sizes.max * sizes.max, sizes.maxPixels ?? Number.POSITIVE_INFINITY);
      return { pixels, label: `${sizes.max}px sides` };
    }
    case 'fixed': {
      const [w, h] = [...sizes.sizes].sort((a, b) => b[0] * b[1] - a[0] * a[1])[0]!;
      return { pixels: w * h, label: `${w}x${h}` };
    }
    case 'aspect': {
      const resolution = sizes.resolutions?.length ? pickResolution(sizes.resolutions, Number.POSITIVE_INFINITY) : null;
      const sized = sizes.ratios.map((ratio) => {
        const [w, h] = resolution
          ? resolutionSize(resolution, parseAspectRatio(ratio))
          : sizeFromRatio(parseAspectRatio(ratio)).map(Math.round);
        return { pixels: w! * h!, label: `${resolution ?? ''} ${ratio}`.trim() };
      });
      return sized.sort((a, b) => b.pixels - a.pixels)[0]!;
    }
  }
}

function planSize(input: PlanInput, sizes: SizeSupport, model: string): SizePlan {
  if (input.aspect_ratio !== undefined && (input.width !== undefined || input.height !== undefined)) {
    throw new AppError('bad_request', 'Give either width/height or aspect_ratio, not both.');
  }
  const ratio = requestedRatio(input);
  const asked =
    input.aspect_ratio ?? (input.width !== undefined ? `${input.width}x${input.height ?? input.width}` : null);
  switch (sizes.kind) {
    case 'range': {
      let w: number;
      let h: number;
      const side = sizes.default ?? Math.min(DEFAULT_SIDE, sizes.max);
      if (input.aspect_ratio !== undefined) {
        [w, h] = sizeFromRatio(ratio!, side);
        w = Math.min(sizes.max, snap(Math.max(sizes.min, w), sizes.step));
        h = Math.min(sizes.max, snap(Math.max(sizes.min, h), sizes.step));
      } else {
        w = input.width ?? input.height ?? side;
        h = input.height ?? input.width ?? side;
        for (const [name, value] of [
          ['width', w],
          ['height', h],
        ] as const) {
          if (value < sizes.min || value > sizes.max) {
            throw new AppError(
              'bad_request',
              `${name} ${value} is outside ${model}'s range ${sizes.min}–${sizes.max} px.`,
            );
          }
        }
        w = snap(w, sizes.step);
        h = snap(h, sizes.step);
      }
      if (sizes.maxPixels && w * h > sizes.maxPixels) {
        throw new AppError(
          'bad_request',
          `${w}x${h} is more than ${model}'s ${sizes.maxPixels} pixels; ask for a smaller size.`,
        );
      }
      return { width: w, height: h, aspectRatio: null };
    }
    case 'fixed': {
      const target = ratio ?? 1;
      const best = [...sizes.sizes].sort(
        (a, b) => Math.abs(Math.log(a[0] / a[1] / target)) - Math.abs(Math.log(b[0] / b[1] / target)),
      )[0]!;
      const exact = input.width === best[0] && input.height === best[1];
      const offered = sizes.sizes.map(([w, h]) => `${w}x${h}`).join(', ');
      return {
        width: best[0],
        height: best[1],
        aspectRatio: null,
        ...(asked &&
          !exact && {
            adaptation: `size ${asked} is not offered by ${model}; using ${best[0]}x${best[1]} (offers ${offered})`,
          }),
      };
    }
    case 'aspect': {
      const target = ratio ?? 1;
      const best = [...sizes.ratios].sort(
        (a, b) => Math.abs(Math.log(parseAspectRatio(a) / target)) - Math.abs(Math.log(parseAspectRatio(b) / target)),
      )[0]!;
      const askedLong =
        input.width !== undefined || input.height !== undefined
          ? Math.max(input.width ?? 0, input.height ?? 0)
          : undefined;
      const resolution = sizes.resolutions?.length ? pickResolution(sizes.resolutions, askedLong) : null;
      const [w, h] = resolution
        ? resolutionSize(resolution, parseAspectRatio(best))
        : sizeFromRatio(parseAspectRatio(best));
      const [width, height] = [Math.round(w), Math.round(h)];
      const sameRatio = ratio !== undefined && parseAspectRatio(best) === ratio;
      const exact = sameRatio && (askedLong === undefined || askedLong === Math.max(width, height));
      const offered = resolution ? ` at ${sizes.resolutions!.join(', ')}` : '';
      return {
        width,
        height,
        aspectRatio: best,
        resolution,
        ...(asked &&
          !exact && {
            adaptation: `${model} takes aspect ratios (${sizes.ratios.join(', ')})${offered}; ${asked} became ${best}${resolution ? ` ${resolution} (${width}x${height})` : ''}`,
          }),
      };
    }
  }
}

function pick(
  name: string,
  value: string | undefined,
  allowed: readonly string[],
  model: string,
  adaptations: string[],
): string | null {
  if (value === undefined) return null;
  if (allowed.length === 0) {
    adaptations.push(`${name} ignored: ${model} has no ${name} option`);
    return null;
  }
  if (!allowed.includes(value)) {
    throw new AppError(
      'bad_request',
      `${name} "${value}" is not available on ${model}; use one of: ${allowed.join(', ')}.`,
    );
  }
  return value;
}

/** What happens to an image too large for this server to decode (see images/cf-images.ts). */
function largeImageNote(size: { width: number; height: number }): string {
  return (
    `${size.width}x${size.height} is over the ${MAX_DECODE_PIXELS} pixels this server decodes: the image is kept ` +
    'as made, and previews and transforms of it come from a scaled-down copy'
  );
}

export function planRequest(model: ModelInfo, input: PlanInput): Plan {
  const caps = model.capabilities;
  const adaptations: string[] = [];
  if (input.prompt.length > caps.maxPromptChars) {
    throw new AppError(
      'bad_request',
      `The prompt has ${input.prompt.length} characters; ${model.id} takes at most ${caps.maxPromptChars}.`,
    );
  }
  const size = planSize(input, caps.sizes, model.id);
  if (size.adaptation) adaptations.push(size.adaptation);
  if (overDecodeBound(size)) adaptations.push(largeImageNote(size));

  let negativePrompt = input.negative_prompt?.trim() || null;
  if (negativePrompt && !caps.negativePrompt) {
    adaptations.push(
      `negative_prompt ignored: ${model.id} does not support it (say what to avoid in the prompt instead)`,
    );
    negativePrompt = null;
  }
  let seed = input.seed ?? null;
  if (seed !== null && !caps.seed) {
    adaptations.push(`seed ignored: ${model.id} does not take a seed, so results are not reproducible`);
    seed = null;
  }
  let steps = input.steps ?? null;
  if (steps !== null) {
    if (!caps.steps) {
      adaptations.push(`steps ignored: ${model.id} has a fixed number of steps`);
      steps = null;
    } else if (steps < caps.steps.min || steps > caps.steps.max) {
      throw new AppError(
        'bad_request',
        `steps ${steps} is outside ${model.id}'s range ${caps.steps.min}–${caps.steps.max}.`,
      );
    }
  }
  const quality = pick('quality', input.quality, caps.qualities, model.id, adaptations);
  const outputFormat = pick('output_format', input.output_format, caps.formats, model.id, adaptations);
  const background = pick('background', input.background, caps.backgrounds, model.id, adaptations);
  if (background === 'transparent' && outputFormat === 'jpeg') {
    throw new AppError('bad_request', 'A transparent background needs output_format png or webp, not jpeg.');
  }
  const resolution = size.resolution ?? null;
  return {
    request: {
      prompt: input.prompt,
      negativePrompt,
      model: model.id,
      width: size.width,
      height: size.height,
      aspectRatio: size.aspectRatio,
      resolution,
      seed,
      steps,
      quality,
      outputFormat,
      background,
    },
    adaptations,
  };
}
