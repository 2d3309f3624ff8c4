/**
 * The one way an image becomes pixels. Decoding costs 4 bytes per pixel of WebAssembly memory, which a
 * Worker isolate shares with everything else it runs (128 MB, and WebAssembly memory never shrinks), so the
 * size an image's header declares is checked against MAX_DECODE_PIXELS before any decoding: a small file
 * claiming a huge canvas is refused as surely as a large one. Transforms, previews, thumbnails, edit masks
 * and the placeholder's edits all decode through here.
 */

import { AppError } from '../errors';
import { imageDimensions } from '../providers/sniff';
import type { PhotonImage } from './photon';

export interface Size {
  width: number;
  height: number;
}

/**
 * 2048 x 1024 (2 Mpx). Set from `npm run bench` scenario 8 (docs/performance.md): a first transform adds
 * about 7.5 MB plus 18.6 MB per megapixel to the Worker's memory (28 MB at 1024², 87 MB at 2048², 322 MB at
 * 4096²), and show_image's preview and the placeholder's edit a little more, so 2 Mpx keeps each of them
 * within 64 MB, half an isolate's 128 MB. Larger images are handled from a scaled-down working copy
 * (cf-images.ts).
 */
export const MAX_DECODE_PIXELS = 2048 * 1024;

/** Whether an image of `size` has more pixels than this server decodes. */
export function overDecodeBound(size: Size): boolean {
  return size.width * size.height > MAX_DECODE_PIXELS;
}

/** Throws payload_too_large, naming `what` and its size, when an image of `size` may not be decoded. */
export function checkDecodable(size: Size, what: string): void {
  if (overDecodeBound(size))
    throw new AppError(
      'payload_too_large',
      `The ${what} is ${size.width}x${size.height} (${size.width * size.height} pixels); images are decoded up to ${MAX_DECODE_PIXELS} pixels.`,
    );
}

/** The size `bytes` declare in their header, checked; throws when they are no image this server reads. */
export function decodableSize(bytes: Uint8Array, what: string): Size {
  const size = imageDimensions(bytes);
  if (!size) throw new AppError('bad_request', `The ${what} is not a PNG, JPEG, WebP or GIF image.`);
  checkDecodable(size, what);
  return size;
}

/** Decodes `bytes` once their header is within the bound. The caller frees the image. */
export async function decodeImage(bytes: Uint8Array, what: string): Promise<PhotonImage> {
  decodableSize(bytes, what);
  // Loaded on first use so that requests which never decode do not pay for instantiating the WASM module.
  const photon = await import('./photon');
  return photon.PhotonImage.new_from_byteslice(bytes);
}
