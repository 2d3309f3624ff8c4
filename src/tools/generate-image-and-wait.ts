/** generate_image_and_wait: queue the images and wait for them in one call. */

import { withPaidConfirmation } from '../calls/paid-confirmation';
import { submitJobs } from '../jobs/submit';
import { TASK_OPTIONAL, taskTool } from '../tasks/tool';
import { CREATES_JOBS, type ToolRegistrar } from './define';
import { generateArgs, waitArgs, waitResultEntry } from './schemas';
import { submitAndWait } from './wait-result';

export const name = 'generate_image_and_wait';

export const config = {
  title: 'Generate image and wait',
  description:
    'Make images from a prompt and wait for them: the easiest way. Status "running": call wait_for_completion.',
  inputSchema: { ...generateArgs, ...waitArgs },
  outputSchema: waitResultEntry,
  annotations: CREATES_JOBS,
  execution: TASK_OPTIONAL,
};

export const registerGenerateImageAndWait: ToolRegistrar = (server, ctx) => {
  server.registerTool(name, config, (args, extra) =>
    withPaidConfirmation(server, ctx, extra, { tool: name, args, count: args.count }, (confirmedPaid) =>
      submitAndWait(server, ctx, extra, args, () => submitJobs(ctx, ctx.subject, { ...args, confirmedPaid })),
    ),
  );
};

/** The task-augmented call (params.task): the same jobs; tasks/result then waits for them. */
export const task = taskTool(config.inputSchema, async (ctx, args) => ({
  jobs: await submitJobs(ctx, ctx.subject, args),
  preview: args.include_preview ?? false,
}));
