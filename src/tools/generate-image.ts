/** generate_image: queue one job per requested image and return at once with the job ids. */
import * as z from 'zod';
import { callLog } from '../calls/logging';
import { withPaidConfirmation } from '../calls/paid-confirmation';
import { submitJobs } from '../jobs/submit';
import { JobEntrySchema, viewsOf } from '../jobs/view';
import { isSubstitution } from '../providers/lifecycle';
import { CREATES_JOBS, type ToolRegistrar } from './define';
import { logQueued } from './job-log';
import { generateArgs } from './schemas';

export const name = 'generate_image';

export const config = {
  title: 'Generate image (async)',
  description: 'Queue images from a prompt; returns job ids for wait_for_completion at once.',
  inputSchema: generateArgs,
  outputSchema: {
    job_id: z.string().describe('The first job id.'),
    job_ids: z.array(z.string()),
    status: z.literal('pending'),
    jobs: z.array(JobEntrySchema),
  },
  annotations: CREATES_JOBS,
};

export const registerGenerateImage: ToolRegistrar = (server, ctx) => {
  server.registerTool(name, config, (args, extra) =>
    withPaidConfirmation(server, ctx, extra, { tool: name, args, count: args.count }, async (confirmedPaid) => {
      const created = await submitJobs(ctx, ctx.subject, { ...args, confirmedPaid });
      await logQueued(callLog(server, extra), created);
      const ids = created.map((j) => j.id);
      const jobs = await viewsOf(created, await ctx.urls());
      const queued =
        ids.length === 1
          ? `Queued image job ${ids[0]}. Call wait_for_completion with this job_id to get the image.`
          : `Queued ${ids.length} image jobs: ${ids.join(', ')}. Call wait_for_completion with job_ids to get the images.`;
      // A retired model named by the call ran on its replacement: say so now, not only in the job.
      const notes = (jobs[0]?.adaptations ?? []).filter(isSubstitution);
      const text = notes.length ? `${queued}\nNote: ${notes.join('; ')}.` : queued;
      return {
        content: [{ type: 'text', text }],
        structuredContent: { job_id: ids[0]!, job_ids: ids, status: 'pending' as const, jobs },
      };
    }),
  );
};
