/**
 * transform_image: crop, resize, rotate, flip or convert one of your images from any chat, where a host would
 * not let the model read the image://{id}/view resource. Both go through getVariant, so the tool and the
 * resource make the same pixels, under the same bounds, stored once in R2.
 */
import * as z from 'zod';
import { AppError } from '../errors';
import { makePreview, THUMBNAIL } from '../images/preview';
import {
  canonicalQuery,
  normaliseTransformParams,
  TRANSFORM_LIMITS,
  type TransformParams,
  variantParams,
} from '../images/transform-plan';
import { imageUrl, orOriginal, variantUrl } from '../images/urls';
import { getVariant } from '../images/variants';
import { altText } from '../jobs/view';
import { READ_ONLY, type ToolRegistrar } from './define';
import { imageRef, lookupName, previewArg, wholeWithin } from './schemas';

export const name = 'transform_image';

const side = wholeWithin(1, TRANSFORM_LIMITS.maxOutputSide);

/** "x,y,width,height" in source pixels: one short string where four listed numbers would cost every conversation. */
const cropBox = lookupName(64)
  .refine((box) => /^\s*\d{1,5}\s*,\s*\d{1,5}\s*,\s*\d{1,5}\s*,\s*\d{1,5}\s*$/.test(box), {
    error: 'crop is "x,y,width,height" in source pixels, e.g. "0,0,512,512".',
  })
  .transform((box) => {
    const [x, y, width, height] = box.split(',').map(Number) as [number, number, number, number];
    return { x, y, width, height };
  });

export const config = {
  title: 'Transform image',
  description: 'Crop, resize, rotate, flip or convert one of your images.',
  inputSchema: {
    image_id: imageRef.describe('Job id or image:// URI.'),
    crop: cropBox.optional().describe('"x,y,w,h" source px; first.'),
    width: side.optional().describe('Pixels.'),
    height: side.optional().describe('Pixels.'),
    fit: z.enum(['cover', 'contain']).optional().describe('With both sides: crop (default) or fit inside.'),
    rotate: wholeWithin(0, 270)
      .refine((degrees) => degrees % 90 === 0, { error: 'rotate is 90, 180 or 270.' })
      .optional()
      .describe('90, 180, 270 clockwise.'),
    flip: z.enum(['h', 'v', 'hv']).optional().describe('Mirror.'),
    format: z.enum(['png', 'jpeg', 'webp']).optional().describe("Default: the original's."),
    quality: wholeWithin(1, 100).optional().describe('JPEG only.'),
    include_preview: previewArg,
  },
  outputSchema: {
    image_id: z.string(),
    uri: z.string(),
    url: z.string().describe('Signed, expiring.'),
    expires_at: z.string().optional(),
    mime_type: z.string(),
    width: z.number().int(),
    height: z.number().int(),
    bytes: z.number().int(),
    cached: z.boolean(),
  },
  // It may store a variant, but that changes nothing a caller can observe apart from speed.
  annotations: READ_ONLY,
};

export const registerTransformImage: ToolRegistrar = (server, ctx) => {
  server.registerTool(name, config, async (args) => {
    const { image_id: id, crop, include_preview } = args;
    const job = await ctx.store.get(ctx.subject, id);
    if (!job) throw new AppError('not_found', `No image with id "${id}". Check the id with list_generations.`);
    if (job.status !== 'completed' || !job.content_type)
      throw new AppError('bad_request', `Job "${id}" is ${job.status}, so there is no image to transform yet.`);
    // Quality as served (snapped to a step), so the link and the text say what the bytes are.
    const params = variantParams(
      normaliseTransformParams({
        ...(crop && { crop }),
        ...(args.rotate && { rotate: args.rotate as 90 | 180 | 270 }),
        ...(args.flip && { flip: args.flip }),
        ...(args.width !== undefined && { width: args.width }),
        ...(args.height !== undefined && { height: args.height }),
        ...(args.fit && { fit: args.fit }),
        ...(args.format && { format: args.format }),
        ...(args.quality !== undefined && { quality: args.quality }),
      } satisfies TransformParams),
    );
    const query = canonicalQuery(params);
    if (!query) throw new AppError('bad_request', 'Nothing to do: give a crop, width, height, rotate, flip or format.');
    const urls = await ctx.urls();
    const variant = await orOriginal(
      () => getVariant(ctx.variants, job.id, params),
      () => imageUrl(urls, job.id, job.content_type ?? 'image/png'),
    );
    const url = await variantUrl(urls, job.id, job.content_type, params);
    const exp = Number(new URL(url).searchParams.get('exp'));
    const result = {
      image_id: job.id,
      uri: `image://${job.id}/view?${query}`,
      url,
      ...(exp > 0 && { expires_at: new Date(exp * 1000).toISOString() }),
      mime_type: variant.contentType,
      width: variant.width,
      height: variant.height,
      bytes: variant.bytes.byteLength,
      cached: variant.cached,
    };
    const alt = altText(job.prompt);
    const preview =
      include_preview &&
      (await makePreview(
        ctx.variants,
        { id: job.id, width: variant.width, height: variant.height, transform: params },
        THUMBNAIL.side,
        THUMBNAIL.maxBytes,
      ));
    return {
      content: [
        ...(preview ? [{ type: 'image' as const, data: preview.data, mimeType: preview.mimeType }] : []),
        {
          type: 'text',
          text: `![${alt}](${url})\n${variant.width}x${variant.height} ${variant.contentType}, ${variant.bytes.byteLength} bytes (${query})`,
        },
        {
          type: 'resource_link',
          uri: url,
          name: `image-${job.id}-variant`,
          title: alt,
          mimeType: variant.contentType,
          size: variant.bytes.byteLength,
        },
      ],
      structuredContent: result,
    };
  });
};
