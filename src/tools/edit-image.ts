/** edit_image: image-to-image from the caller's own images, queued like any job and waited on. */
import { z } from 'zod';
import { withPaidConfirmation } from '../calls/paid-confirmation';
import { MAX_EDIT_SOURCES, submitEdit } from '../jobs/edit';
import { TASK_OPTIONAL, taskTool } from '../tasks/tool';
import { CREATES_JOBS, type ToolRegistrar } from './define';
import { generateArgs, imageRef, waitArgs, waitResultShape } from './schemas';
import { submitAndWait } from './wait-result';

export const name = 'edit_image';

const { prompt: _prompt, count: _count, ...options } = generateArgs;

export const config = {
  title: 'Edit image',
  description:
    'Make a new image from one or more of your images and a prompt saying what to change (image-to-image), ' +
    'and wait for it like generate_image_and_wait. The first image is the one edited; others are references. ' +
    'An optional mask marks where to repaint. Only some models edit (see list_providers: image_input, mask, ' +
    'strength); "auto" picks one that can. The sources are kept on the job (source_ids).',
  inputSchema: {
    images: z
      .array(imageRef)
      .min(1)
      .max(MAX_EDIT_SOURCES)
      .describe(`1–${MAX_EDIT_SOURCES} of your images by id or image:// URI; the first is the one edited.`),
    prompt: z.string().trim().min(1).max(4000).describe('What to change, in plain language.'),
    mask: imageRef
      .optional()
      .describe(
        'An image of the same size as the first one marking where to repaint: transparent areas, or white ' +
          'areas of a fully opaque mask. Without it the whole image may change.',
      ),
    strength: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe('How far to move from the source, 0 (keep) to 1 (replace), where the model takes a strength.'),
    count: z.number().int().min(1).max(4).default(1).describe('How many variants to make (one job each).'),
    ...options,
    width: options.width.describe("Width in pixels; by default the first image's size where the model makes it."),
    height: options.height.describe('Height in pixels; see width.'),
    ...waitArgs,
  },
  outputSchema: waitResultShape,
  annotations: CREATES_JOBS,
  execution: TASK_OPTIONAL,
};

export const registerEditImage: ToolRegistrar = (server, ctx) => {
  server.registerTool(name, config, (args, extra) =>
    withPaidConfirmation(server, ctx, extra, { tool: name, args, count: args.count }, (confirmedPaid) =>
      submitAndWait(server, ctx, extra, args, () => submitEdit(ctx, ctx.subject, { ...args, confirmedPaid })),
    ),
  );
};

/** The task-augmented call (params.task): the same jobs; tasks/result then waits for them. */
export const task = taskTool(config.inputSchema, async (ctx, args) => ({
  jobs: await submitEdit(ctx, ctx.subject, args),
  preview: args.include_preview ?? false,
}));
