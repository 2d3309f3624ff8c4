/** show_image: one of your images as an inline preview a chat host can display, with its metadata and link. */
import * as z from 'zod';
import { GALLERY_APP_META } from '../apps/gallery';
import { AppError } from '../errors';
import { makePreview, PREVIEW_LIMITS } from '../images/preview';
import { orOriginal } from '../images/urls';
import { describeJob, imageLinks, JobEntrySchema, toView } from '../jobs/view';
import { READ_ONLY, type ToolRegistrar } from './define';
import { imageRef, PreviewSchema } from './schemas';

export const name = 'show_image';

export const config = {
  title: 'Show image',
  description: 'Look at one of your images yourself, as a small JPEG.',
  inputSchema: {
    image_id: imageRef.describe('Job id or image:// URI.'),
    max_side: z
      .number()
      .int()
      .min(PREVIEW_LIMITS.minSide)
      .max(PREVIEW_LIMITS.maxSide)
      .default(PREVIEW_LIMITS.defaultSide)
      .describe('Longest side, pixels.'),
  },
  outputSchema: { image: JobEntrySchema, preview: PreviewSchema },
  annotations: READ_ONLY,
  _meta: GALLERY_APP_META,
};

export const registerShowImage: ToolRegistrar = (server, ctx) => {
  server.registerTool(name, config, async ({ image_id: id, max_side }) => {
    const job = await ctx.store.get(ctx.subject, id);
    if (!job) throw new AppError('not_found', `No image with id "${id}". Check the id with list_generations.`);
    if (job.status !== 'completed')
      throw new AppError('bad_request', `Job "${id}" is ${job.status}, so there is no image to show yet.`);
    const view = await toView(job, await ctx.urls());
    const preview = await orOriginal(
      () => makePreview(ctx.variants, job, max_side),
      async () => view.image_url ?? '',
    );
    // describeJob's own line already says provider, model, size and job id.
    const facts = [
      ...(view.content_type ? [view.content_type] : []),
      `created ${view.created_at}`,
      `preview ${preview.width}x${preview.height} JPEG, ${preview.bytes} bytes`,
    ];
    return {
      content: [
        { type: 'image', data: preview.data, mimeType: preview.mimeType },
        { type: 'text', text: `${describeJob(view)}\n${view.prompt}\n${facts.join(' · ')}` },
        ...imageLinks([view]),
      ],
      structuredContent: {
        image: view,
        preview: {
          job_id: job.id,
          mime_type: preview.mimeType,
          width: preview.width,
          height: preview.height,
          bytes: preview.bytes,
        },
      },
    };
  });
};
