/** edit_image: image-to-image from the caller's own images, queued like any job and waited on. */
import * as z from 'zod';
import { withPaidConfirmation } from '../calls/paid-confirmation';
import { MAX_EDIT_SOURCES, submitEdit } from '../jobs/edit';
import { TASK_OPTIONAL, taskTool } from '../tasks/tool';
import { CREATES_JOBS, type ToolRegistrar } from './define';
import { generateArgs, imageRef, waitArgs, waitResultEntry } from './schemas';
import { submitAndWait } from './wait-result';

export const name = 'edit_image';

const { prompt: _prompt, count: _count, ...options } = generateArgs;

export const config = {
  title: 'Edit image',
  description: 'Edit your images as a prompt says; waits like generate_image_and_wait.',
  inputSchema: {
    images: z.array(imageRef).min(1).max(MAX_EDIT_SOURCES).describe('Ids; the first is edited, others guide.'),
    prompt: z.string().trim().min(1).max(4000).describe('What to change.'),
    mask: imageRef.optional().describe('Where to repaint: clear or white areas.'),
    strength: z.number().min(0).max(1).optional().describe('0 keeps, 1 replaces.'),
    count: z.number().int().min(1).max(4).default(1).describe('One job each.'),
    ...options,
    width: options.width.describe("Default: the first image's."),
    height: options.height.describe("Default: the first image's."),
    ...waitArgs,
  },
  outputSchema: waitResultEntry,
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
