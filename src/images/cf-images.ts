/**
 * Images too large to decode in the isolate. Cloudflare Images, through the IMAGE_TRANSFORMS binding
 * (wrangler.jsonc `images`), makes a working copy scaled down to half the decode bound: the bytes go to the
 * service and a smaller image comes back, so the isolate never holds the original's pixels. photon then runs
 * the transform on the copy, with the plan's crop box scaled onto it and its output size unchanged, so a
 * transform of a large image has the size and geometry asked for, from at most the bound's worth of detail.
 * Only resizing is asked of the service (`fit: 'scale-down'`), which its local simulation (sharp) supports
 * too. The copy is kept in R2 beside the image's variants, so one image costs one service transformation.
 * API: developers.cloudflare.com/images/transform-images/bindings (input → transform → output).
 */
import { AppError } from '../errors';
import { imageDimensions } from '../providers/sniff';
import { MAX_DECODE_PIXELS, overDecodeBound, type Size } from './decode';
import type { CropBox, TransformPlan } from './transform-plan';

/**
 * What Cloudflare Images takes from a remote (not hosted) image: 100 MP of area and 12,000 px a side, 100 MB
 * (developers.cloudflare.com/images/get-started/limits, "Remote images").
 */
export const CF_IMAGES_LIMITS = { maxPixels: 100_000_000, maxSide: 12_000 } as const;

export function workingCopyKey(id: string): string {
  return `variants/${id}/working-copy`;
}

/** Whether a source of `size` can be transformed here: within the decode bound, or through the binding. */
export function transformable(size: Size, binding: ImagesBinding | undefined): boolean {
  try {
    checkTransformable(size, binding);
    return true;
  } catch {
    return false;
  }
}

/** Throws payload_too_large, saying why, unless a source of `size` can be transformed here at all. */
export function checkTransformable(size: Size, binding: ImagesBinding | undefined): void {
  if (!overDecodeBound(size)) return;
  const pixels = size.width * size.height;
  const about = `The image is ${size.width}x${size.height} (${pixels} pixels): this server decodes images up to ${MAX_DECODE_PIXELS} pixels itself`;
  if (!binding)
    throw new AppError(
      'payload_too_large',
      `${about}, and larger ones through Cloudflare Images, which is not bound here (IMAGE_TRANSFORMS; see docs/deploy.md).`,
    );
  if (pixels > CF_IMAGES_LIMITS.maxPixels || Math.max(size.width, size.height) > CF_IMAGES_LIMITS.maxSide)
    throw new AppError(
      'payload_too_large',
      `${about}, and Cloudflare Images takes at most 100 MP and 12,000 px a side.`,
    );
}

/**
 * Pixels of a working copy: half the decode bound (about 1024² at 1:1). Every later transform decodes the
 * copy, and scenario 8 measured decoding at the full bound to use most of an operation's 64 MB before the
 * rest of the request; a copy this size still holds every preview, thumbnail and the gallery's detail view.
 */
export const WORKING_COPY_PIXELS = MAX_DECODE_PIXELS / 2;

/** The largest size with the source's aspect ratio within WORKING_COPY_PIXELS. */
export function workingSize(source: Size): Size {
  const scale = Math.min(1, Math.sqrt(WORKING_COPY_PIXELS / (source.width * source.height)));
  return {
    width: Math.max(1, Math.floor(source.width * scale)),
    height: Math.max(1, Math.floor(source.height * scale)),
  };
}

function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

/** The original as the service takes it: streamed from R2 where possible, so the isolate never holds it whole. */
export type OriginalSource = Uint8Array | ReadableStream<Uint8Array>;

/** A lossless PNG of `source` scaled down to within the decode bound, made by Cloudflare Images. */
export async function makeWorkingCopy(
  binding: ImagesBinding,
  source: OriginalSource,
  size: Size,
): Promise<Size & { bytes: Uint8Array }> {
  const target = workingSize(size);
  let bytes: Uint8Array;
  try {
    const result = await binding
      .input(source instanceof Uint8Array ? streamOf(source) : source)
      .transform({ width: target.width, height: target.height, fit: 'scale-down' })
      .output({ format: 'image/png' });
    bytes = new Uint8Array(await result.response().arrayBuffer());
  } catch (error) {
    // Past the account's free transformations (error 9422), or the service failing: the caller says so.
    throw new AppError('unavailable', `Cloudflare Images could not scale the image down: ${String(error)}`, {
      cause: error,
    });
  }
  const made = imageDimensions(bytes);
  if (!made || overDecodeBound(made))
    throw new AppError('internal', 'Cloudflare Images returned no image within the decode bound.');
  return { bytes, ...made };
}

/**
 * `plan` (made against the original) moved onto a copy of the original at another size: the crop box is
 * scaled, and the output keeps the planned size (resampled from the copy).
 */
export function planOnCopy(plan: TransformPlan, original: Size, copy: Size): TransformPlan {
  const sx = copy.width / original.width;
  const sy = copy.height / original.height;
  const region: CropBox = plan.crop ?? { x: 0, y: 0, ...original };
  const x = Math.min(copy.width - 1, Math.floor(region.x * sx));
  const y = Math.min(copy.height - 1, Math.floor(region.y * sy));
  const crop = {
    x,
    y,
    width: Math.max(1, Math.min(copy.width - x, Math.round(region.width * sx))),
    height: Math.max(1, Math.min(copy.height - y, Math.round(region.height * sy))),
  };
  const target = plan.resize ?? { width: region.width, height: region.height };
  const whole = crop.x === 0 && crop.y === 0 && crop.width === copy.width && crop.height === copy.height;
  const same = crop.width === target.width && crop.height === target.height;
  return { ...plan, crop: whole ? null : crop, resize: same ? null : target };
}
