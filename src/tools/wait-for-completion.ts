/** wait_for_completion: block until the given jobs finish, or report them still running after the timeout. */
import * as z from 'zod';
import { callLog } from '../calls/logging';
import { AppError } from '../errors';
import { READ_ONLY, type ToolRegistrar } from './define';
import { jobId, waitArgs, waitResultShape } from './schemas';
import { previewModeOf, waitAndReport } from './wait-result';

export const name = 'wait_for_completion';

export const config = {
  title: 'Wait for image jobs',
  description: 'Wait for jobs and return their images. Status "running": call again.',
  inputSchema: {
    job_id: jobId.optional(),
    job_ids: z.array(jobId).min(1).max(50).optional().describe('Or several.'),
    ...waitArgs,
  },
  outputSchema: waitResultShape,
  annotations: READ_ONLY,
};

export const registerWaitForCompletion: ToolRegistrar = (server, ctx) => {
  server.registerTool(name, config, async (args, extra) => {
    const ids = [...new Set([...(args.job_id ? [args.job_id] : []), ...(args.job_ids ?? [])])];
    if (ids.length === 0)
      throw new AppError('bad_request', 'Pass job_id or job_ids: the ids returned by generate_image.');
    if (ids.length > 50) throw new AppError('bad_request', 'Wait for at most 50 jobs at a time.');
    return waitAndReport(ctx, ids, args.timeout_seconds, extra, {
      preview: previewModeOf(server, ctx, extra, args.include_preview),
      log: callLog(server, extra),
    });
  });
};
