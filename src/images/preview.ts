/**
 * Inline previews for chat contexts: a JPEG small in both pixels and bytes, made through the variant cache
 * (so a second look at the same image is one R2 read), and base64 for an MCP `image` content block.
 */
import { AppError } from '../errors';
import { encodeBase64 } from '../providers/sniff';
import type { TransformParams } from './transform-plan';
import { getVariant, type VariantEnv } from './variants';

export const PREVIEW_LIMITS = {
  defaultSide: 512,
  minSide: 64,
  maxSide: 1024,
  /** Raw bytes; base64 adds a third. Chat hosts count every byte of it against the context. */
  maxBytes: 192 * 1024,
} as const;

/** The one compact preview a wait result carries by default for clients that show images (see client-profiles). */
export const THUMBNAIL = { side: 384, maxBytes: 64 * 1024 } as const;

/** Tried in order until one fits maxBytes: lower quality first, then fewer pixels. */
const ATTEMPTS: ReadonlyArray<{ scale: number; quality: number }> = [
  { scale: 1, quality: 75 },
  { scale: 1, quality: 65 },
  { scale: 0.7, quality: 65 },
  { scale: 0.5, quality: 50 },
  { scale: 0.35, quality: 50 },
];

/** What a preview needs of a stored image: its id and size, and the transform it shows when it is of a variant. */
export interface StoredImage {
  id: string;
  /** The size of what is previewed: the original's, or the variant's when `transform` is given. */
  width: number;
  height: number;
  transform?: TransformParams;
}

export interface Preview {
  /** base64 */
  data: string;
  mimeType: string;
  width: number;
  height: number;
  bytes: number;
}

/** Longest side at most `side`, aspect kept, never enlarged; JPEG. */
export function previewParams(
  job: Pick<StoredImage, 'width' | 'height' | 'transform'>,
  side: number,
  quality: number,
): TransformParams {
  const longest = Math.max(1, Math.round(side));
  if (job.transform) {
    // The variant's own steps, its output scaled down: both sides at the variant's aspect ratio crop nothing more.
    const scale = Math.min(1, longest / Math.max(job.width, job.height));
    const { fit: _fit, ...steps } = job.transform;
    return {
      ...steps,
      width: Math.max(1, Math.round(job.width * scale)),
      height: Math.max(1, Math.round(job.height * scale)),
      format: 'jpeg',
      quality,
    };
  }
  const params: TransformParams = { format: 'jpeg', quality };
  if (job.width >= job.height) params.width = Math.min(longest, job.width);
  else params.height = Math.min(longest, job.height);
  return params;
}

export async function makePreview(
  env: VariantEnv,
  job: StoredImage,
  maxSide: number = PREVIEW_LIMITS.defaultSide,
  maxBytes: number = PREVIEW_LIMITS.maxBytes,
): Promise<Preview> {
  const side = Math.min(PREVIEW_LIMITS.maxSide, Math.max(PREVIEW_LIMITS.minSide, maxSide));
  for (const { scale, quality } of ATTEMPTS) {
    const variant = await getVariant(env, job.id, previewParams(job, side * scale, quality));
    if (variant.bytes.byteLength <= maxBytes) {
      return {
        data: encodeBase64(variant.bytes),
        mimeType: variant.contentType,
        width: variant.width,
        height: variant.height,
        bytes: variant.bytes.byteLength,
      };
    }
  }
  throw new AppError(
    'payload_too_large',
    `Image ${job.id} does not compress to a preview under ${maxBytes} bytes; open its image_url instead.`,
  );
}
