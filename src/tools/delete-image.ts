/** delete_image: removes an image, every stored variant of it, and its job row. */
import * as z from 'zod';
import { AppError } from '../errors';
import { deleteImageObjects } from '../images/storage';
import type { ToolRegistrar } from './define';
import { imageRef } from './schemas';

export const name = 'delete_image';

export const config = {
  title: 'Delete image',
  description: 'Delete one of your images and its job.',
  inputSchema: { image_id: imageRef.describe('Job id or image:// URI.') },
  outputSchema: { deleted: z.boolean(), image_id: z.string(), objects_deleted: z.number().int() },
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
};

export const registerDeleteImage: ToolRegistrar = (server, ctx) => {
  server.registerTool(name, config, async ({ image_id: id }) => {
    const job = await ctx.store.delete(ctx.subject, id);
    if (!job) {
      const current = await ctx.store.get(ctx.subject, id);
      if (current)
        throw new AppError('bad_request', `Job "${id}" is still ${current.status}; wait for it to finish first.`);
      throw new AppError('not_found', `No image with id "${id}". Check the id with list_generations.`);
    }
    const objects = await deleteImageObjects(ctx.bucket, id);
    return {
      content: [{ type: 'text', text: `Deleted image ${id} (${objects} stored object${objects === 1 ? '' : 's'}).` }],
      structuredContent: { deleted: true, image_id: id, objects_deleted: objects },
    };
  });
};
