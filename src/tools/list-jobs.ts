/** list_jobs: the caller's jobs in any state, newest first, optionally filtered by status. */
import * as z from 'zod';
import { describeJob, JobEntrySchema, viewsOf } from '../jobs/view';
import { READ_ONLY, type ToolRegistrar } from './define';
import { pageArgs, pageResultShape, statusFilter } from './schemas';

export const name = 'list_jobs';

export const config = {
  title: 'List image jobs',
  description: 'Your jobs in every state, newest first.',
  inputSchema: { status: statusFilter.describe('Only jobs in this state.'), ...pageArgs },
  outputSchema: { jobs: z.array(JobEntrySchema), status: statusFilter, ...pageResultShape },
  annotations: READ_ONLY,
};

export const registerListJobs: ToolRegistrar = (server, ctx) => {
  server.registerTool(name, config, async ({ status, limit, offset }) => {
    const page = await ctx.store.list(ctx.subject, { status: status === 'all' ? undefined : status, limit, offset });
    const jobs = await viewsOf(page.jobs, await ctx.urls());
    const text = jobs.length ? jobs.map(describeJob).join('\n') : 'No jobs found.';
    return {
      content: [{ type: 'text', text }],
      structuredContent: { jobs, status, limit, offset, has_more: page.hasMore },
    };
  });
};
