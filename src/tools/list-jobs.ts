/** list_jobs: the caller's jobs in any state, newest first, optionally filtered by status. */
import { z } from 'zod';
import { describeJob, JobViewSchema, viewsOf } from '../jobs/view';
import { READ_ONLY, type ToolRegistrar } from './define';
import { pageArgs, pageResultShape, statusFilter } from './schemas';

export const name = 'list_jobs';

export const config = {
  title: 'List image jobs',
  description: 'List your image jobs, newest first, including pending, processing and failed ones.',
  inputSchema: { status: statusFilter.describe('Only jobs in this state (default all).'), ...pageArgs },
  outputSchema: { jobs: z.array(JobViewSchema), status: statusFilter, ...pageResultShape },
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
