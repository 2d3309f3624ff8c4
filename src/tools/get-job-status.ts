/** get_job_status: one job as it stands now. */
import { AppError } from '../errors';
import { describeJob, imageLinks, JobViewSchema, toView } from '../jobs/view';
import { READ_ONLY, type ToolRegistrar } from './define';
import { jobId } from './schemas';

export const name = 'get_job_status';

export const config = {
  title: 'Get image job status',
  description: "A job's status and image URL. To wait, use wait_for_completion.",
  inputSchema: { job_id: jobId },
  outputSchema: JobViewSchema.shape,
  annotations: READ_ONLY,
};

export const registerGetJobStatus: ToolRegistrar = (server, ctx) => {
  server.registerTool(name, config, async ({ job_id }) => {
    const job = await ctx.store.get(ctx.subject, job_id);
    if (!job) throw new AppError('not_found', `No job with id "${job_id}". Check the id with list_jobs.`);
    const view = await toView(job, await ctx.urls());
    return { content: [{ type: 'text', text: describeJob(view) }, ...imageLinks([view])], structuredContent: view };
  });
};
