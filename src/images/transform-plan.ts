/**
 * Image transforms as plain data: query parameters parsed into normalised TransformParams, their canonical
 * query string (what signed URLs cover and variant keys name), and the plan that turns params plus a source
 * size into concrete steps. Every bound is checked here, so nothing out of bounds is ever decoded.
 */
import * as z from 'zod';
import { AppError } from '../errors';
import { MAX_DECODE_PIXELS, type Size } from './decode';

/** Hard limits; they keep one transform well inside a Worker's 128 MB (decoded pixels cost 4 bytes each). */
export const TRANSFORM_LIMITS = {
  maxOutputSide: 4096,
  /** An output is pixels in memory too, as much as a decoded source. */
  maxOutputPixels: MAX_DECODE_PIXELS,
  maxSourceBytes: 25 * 1024 * 1024,
  /** What this isolate decodes; larger sources go to Cloudflare Images when it is bound (see cf-images.ts). */
  maxSourcePixels: MAX_DECODE_PIXELS,
  /** Sanity cap on crop numbers; the real check is against the source's size. */
  maxCropValue: 65_535,
} as const;

export const DEFAULT_JPEG_QUALITY = 85;

/**
 * The JPEG qualities variants are made at. Quality is the one free parameter that changes bytes but not what
 * a caller sees, so a requested quality is served at the nearest step (ties go up) and a sweep of it stores a
 * few copies of an image, not a hundred. Sizes and crops stay exact: they are what a caller asked to see.
 */
export const QUALITY_STEPS = [25, 50, 65, 75, 85, 90, 95, 100] as const;

export function snapQuality(quality: number): number {
  let best: number = QUALITY_STEPS[0];
  for (const step of QUALITY_STEPS) if (Math.abs(step - quality) <= Math.abs(best - quality)) best = step;
  return best;
}

export type OutputFormat = 'png' | 'jpeg' | 'webp';

export type { Size } from './decode';

export interface CropBox extends Size {
  x: number;
  y: number;
}

export interface TransformParams {
  /** In source pixels, applied first. */
  crop?: CropBox;
  /** Degrees clockwise, applied after the crop. */
  rotate?: 90 | 180 | 270;
  /** Mirror horizontally and/or vertically, applied after the rotation. */
  flip?: 'h' | 'v' | 'hv';
  /** Output size: one side keeps the aspect ratio; both centre-crop to fill them (cover) or fit inside (contain). */
  width?: number;
  height?: number;
  /** With both sides only; cover when absent. Named as Cloudflare Images names them (fit=cover, fit=contain). */
  fit?: 'cover' | 'contain';
  /** Absent: the source's own format (PNG for a GIF). */
  format?: OutputFormat;
  /** JPEG quality 1–100; only with format jpeg, which fills in the default. */
  quality?: number;
}

const whole = (min: number, max: number) => {
  const error = `must be a whole number from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\d{1,9}$/, { error })
    .transform(Number)
    .pipe(z.number().min(min, { error }).max(max, { error }))
    .optional();
};

const QuerySchema = z.strictObject({
  crop_x: whole(0, TRANSFORM_LIMITS.maxCropValue),
  crop_y: whole(0, TRANSFORM_LIMITS.maxCropValue),
  crop_w: whole(1, TRANSFORM_LIMITS.maxCropValue),
  crop_h: whole(1, TRANSFORM_LIMITS.maxCropValue),
  rotate: z.enum(['0', '90', '180', '270'], { error: 'must be 0, 90, 180 or 270 (degrees clockwise)' }).optional(),
  flip: z.enum(['h', 'v', 'hv', 'vh'], { error: 'must be h, v or hv' }).optional(),
  width: whole(1, TRANSFORM_LIMITS.maxOutputSide),
  height: whole(1, TRANSFORM_LIMITS.maxOutputSide),
  fit: z.enum(['cover', 'contain'], { error: 'must be cover or contain' }).optional(),
  format: z.enum(['png', 'jpeg', 'jpg', 'webp'], { error: 'must be png, jpeg or webp' }).optional(),
  quality: whole(1, 100),
});

const PARAM_NAMES = Object.keys(QuerySchema.shape);
const CROP_NAMES = ['crop_x', 'crop_y', 'crop_w', 'crop_h'] as const;

function bad(message: string): AppError {
  return new AppError('bad_request', message);
}

/** Parses transform query parameters (without exp and sig); throws a 400 naming the bad parameter. */
export function parseTransformParams(query: Record<string, string | undefined>): TransformParams {
  const parsed = QuerySchema.safeParse(query);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown parameter ${issue.keys.map((k) => `"${k}"`).join(', ')} (known: ${PARAM_NAMES.join(', ')})`
        : `"${issue.path.join('.')}" ${issue.message}`,
    );
    throw bad(`Invalid image parameters: ${detail.join('; ')}.`);
  }
  const q = parsed.data;
  const params: TransformParams = {};
  const given = CROP_NAMES.filter((name) => q[name] !== undefined);
  if (given.length > 0 && given.length < CROP_NAMES.length)
    throw bad(`Invalid image parameters: a crop needs all of ${CROP_NAMES.join(', ')}.`);
  if (q.crop_x !== undefined && q.crop_y !== undefined && q.crop_w !== undefined && q.crop_h !== undefined)
    params.crop = { x: q.crop_x, y: q.crop_y, width: q.crop_w, height: q.crop_h };
  if (q.rotate && q.rotate !== '0') params.rotate = Number(q.rotate) as 90 | 180 | 270;
  if (q.flip) params.flip = q.flip === 'vh' ? 'hv' : q.flip;
  if (q.width !== undefined) params.width = q.width;
  if (q.height !== undefined) params.height = q.height;
  if (q.width !== undefined && q.height !== undefined) {
    checkOutput({ width: q.width, height: q.height });
    // cover is the default, and fit means nothing with one side: both are dropped so equal requests share a key.
    if (q.fit === 'contain') params.fit = 'contain';
  }
  if (q.format) params.format = q.format === 'jpg' ? 'jpeg' : q.format;
  if (q.quality !== undefined && params.format !== 'jpeg')
    throw bad('Invalid image parameters: "quality" applies only with format=jpeg.');
  if (params.format === 'jpeg') params.quality = q.quality ?? DEFAULT_JPEG_QUALITY;
  return params;
}

/** Canonical query string: fixed order, defaults filled in, no-ops dropped; empty means the original. */
export function canonicalQuery(params: TransformParams): string {
  const { crop } = params;
  const fields: Array<[string, string | number | undefined]> = [
    ['crop_x', crop?.x],
    ['crop_y', crop?.y],
    ['crop_w', crop?.width],
    ['crop_h', crop?.height],
    ['rotate', params.rotate],
    ['flip', params.flip],
    ['width', params.width],
    ['height', params.height],
    ['fit', params.fit],
    ['format', params.format],
    ['quality', params.quality],
  ];
  return fields.flatMap(([name, value]) => (value === undefined ? [] : [`${name}=${value}`])).join('&');
}

/** The params a variant is made and stored with: the request's, with quality snapped to QUALITY_STEPS. */
export function variantParams(params: TransformParams): TransformParams {
  return params.quality === undefined ? params : { ...params, quality: snapQuality(params.quality) };
}

/** Re-validates params built in code (not parsed from a URL) through the same rules, and normalises them. */
export function normaliseTransformParams(params: TransformParams): TransformParams {
  return parseTransformParams(Object.fromEntries(new URLSearchParams(canonicalQuery(params))));
}

export interface TransformPlan {
  /** Region of the source to keep (the crop, then a centre-crop to fill); null keeps all of it. */
  crop: CropBox | null;
  /** Size to resample the region to. It comes before orienting (cheaper), so quarter turns swap the sides. */
  resize: Size | null;
  /** Orientation after resizing: quarter turns clockwise, then a horizontal mirror (every rotate+flip is one). */
  turns: 0 | 1 | 2 | 3;
  mirror: boolean;
  output: Size & { format: OutputFormat; quality: number; contentType: string };
}

const CONTENT_TYPES: Record<OutputFormat, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };
const SOURCE_FORMATS: Record<string, OutputFormat> = {
  'image/png': 'png',
  'image/gif': 'png',
  'image/jpeg': 'jpeg',
  'image/webp': 'webp',
};

function checkOutput({ width, height }: Size): void {
  const { maxOutputSide, maxOutputPixels } = TRANSFORM_LIMITS;
  if (width > maxOutputSide || height > maxOutputSide)
    throw bad(`The output would be ${width}x${height}; each side may be at most ${maxOutputSide} pixels.`);
  if (width * height > maxOutputPixels)
    throw bad(`The output would be ${width}x${height} (${width * height} pixels); the limit is ${maxOutputPixels}.`);
}

/** Turns normalised params and the source's real size and type into steps; throws before any decoding. */
export function planTransform(params: TransformParams, source: Size & { contentType: string }): TransformPlan {
  const sourceFormat = SOURCE_FORMATS[source.contentType];
  if (!sourceFormat) throw bad(`Images of type ${source.contentType} cannot be transformed.`);
  const region = params.crop ?? { x: 0, y: 0, width: source.width, height: source.height };
  if (region.x + region.width > source.width || region.y + region.height > source.height)
    throw bad(
      `The crop box (crop_x ${region.x}, crop_y ${region.y}, crop_w ${region.width}, crop_h ${region.height}) ` +
        `reaches outside the ${source.width}x${source.height} source.`,
    );

  // flip=v is a half turn plus a horizontal mirror, so every rotate/flip pair folds into (turns, mirror).
  let turns = (params.rotate ?? 0) / 90;
  let mirror = false;
  if (params.flip?.includes('h')) mirror = !mirror;
  if (params.flip?.includes('v')) {
    turns += 2;
    mirror = !mirror;
  }
  turns %= 4;
  const transposed = turns % 2 === 1;
  const oriented = transposed ? { width: region.height, height: region.width } : region;

  const output = outputSize(params, oriented);
  checkOutput(output);
  const target = transposed ? { width: output.height, height: output.width } : output;
  const kept = params.width !== undefined && params.height !== undefined && !params.fit ? fill(region, target) : region;
  const everything = kept.x === 0 && kept.y === 0 && kept.width === source.width && kept.height === source.height;
  const sameSize = kept.width === target.width && kept.height === target.height;
  const format = params.format ?? sourceFormat;
  return {
    crop: everything ? null : kept,
    resize: sameSize ? null : { width: target.width, height: target.height },
    turns: turns as TransformPlan['turns'],
    mirror,
    output: {
      ...output,
      format,
      quality: params.quality ?? DEFAULT_JPEG_QUALITY,
      contentType: CONTENT_TYPES[format],
    },
  };
}

function outputSize(params: TransformParams, oriented: Size): Size {
  const { width, height } = params;
  if (width !== undefined && height !== undefined) {
    if (params.fit !== 'contain') return { width, height };
    // The largest size with the region's aspect ratio inside width x height.
    const scale = Math.min(width / oriented.width, height / oriented.height);
    return {
      width: Math.max(1, Math.min(width, Math.round(oriented.width * scale))),
      height: Math.max(1, Math.min(height, Math.round(oriented.height * scale))),
    };
  }
  if (width !== undefined)
    return { width, height: Math.max(1, Math.round((width * oriented.height) / oriented.width)) };
  if (height !== undefined)
    return { width: Math.max(1, Math.round((height * oriented.width) / oriented.height)), height };
  return { width: oriented.width, height: oriented.height };
}

/** The centred part of `box` with the aspect ratio of `target`, so resizing fills it without distortion. */
function fill(box: CropBox, target: Size): CropBox {
  const wide = box.width * target.height - target.width * box.height;
  if (wide > 0) {
    const width = Math.min(box.width, Math.max(1, Math.round((box.height * target.width) / target.height)));
    return { ...box, x: box.x + Math.floor((box.width - width) / 2), width };
  }
  if (wide < 0) {
    const height = Math.min(box.height, Math.max(1, Math.round((box.width * target.height) / target.width)));
    return { ...box, y: box.y + Math.floor((box.height - height) / 2), height };
  }
  return box;
}
