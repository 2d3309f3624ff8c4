/** list_generations: the caller's finished images, newest first (a gallery in data form). */
import * as z from 'zod';
import { describeJob, imageLinks, JobEntrySchema, viewsOf } from '../jobs/view';
import { READ_ONLY, type ToolRegistrar } from './define';
import { pageArgs, pageResultShape } from './schemas';

export const name = 'list_generations';

export const config = {
  title: 'List generated images',
  description: 'Your finished images, newest first.',
  inputSchema: pageArgs,
  outputSchema: { generations: z.array(JobEntrySchema), ...pageResultShape },
  annotations: READ_ONLY,
};

export const registerListGenerations: ToolRegistrar = (server, ctx) => {
  server.registerTool(name, config, async ({ limit, offset }) => {
    const page = await ctx.store.list(ctx.subject, { status: 'completed', limit, offset });
    const generations = await viewsOf(page.jobs, await ctx.urls());
    const text = generations.length ? generations.map(describeJob).join('\n') : 'No images yet.';
    return {
      content: [{ type: 'text', text }, ...imageLinks(generations)],
      structuredContent: { generations, limit, offset, has_more: page.hasMore },
    };
  });
};
