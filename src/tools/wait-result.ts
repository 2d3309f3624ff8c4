/** Waiting on jobs for the wait tools: polls D1, reports progress when asked, and shapes the result. */
import type { CallToolResult, McpServer, ServerContext } from '@modelcontextprotocol/server';
import { type PreviewMode, previewMode } from '../calls/client-profiles';
import type { RequestContext } from '../calls/context';
import { clientNameOf } from '../calls/envelope';
import { type CallLog, callLog } from '../calls/logging';
import { AppError, describeError } from '../errors';
import { makePreview, THUMBNAIL } from '../images/preview';
import type { Job } from '../jobs/model';
import { MAX_OPEN_WAITS } from '../jobs/open-waits';
import { describeJob, imageLinks, viewsOf } from '../jobs/view';
import { waitForJobs } from '../jobs/wait';
import { log } from '../log';
import { logChanges, logQueued } from './job-log';
import type { WAIT_OUTCOMES } from './schemas';

type Extra = ServerContext;

/** What this call's result carries inline: see previewMode (the call, then INLINE_PREVIEW, then the client). */
export function previewModeOf(
  server: McpServer,
  ctx: RequestContext,
  extra: Extra,
  includePreview: boolean | undefined,
): PreviewMode {
  return previewMode(includePreview, ctx.config.inlinePreview, clientNameOf(server, extra));
}

/**
 * The submit-then-wait tools (generate_image_and_wait, edit_image): queue the jobs, say so in the client's
 * log, then wait for them and report as wait_for_completion does.
 */
export async function submitAndWait(
  server: McpServer,
  ctx: RequestContext,
  extra: Extra,
  args: { timeout_seconds: number; include_preview?: boolean | undefined },
  submit: () => Promise<readonly Job[]>,
): Promise<CallToolResult> {
  const log = callLog(server, extra);
  const jobs = await submit();
  await logQueued(log, jobs);
  const ids = jobs.map((j) => j.id);
  const preview = previewModeOf(server, ctx, extra, args.include_preview);
  return waitAndReport(ctx, ids, args.timeout_seconds, extra, { preview, log });
}

function outcome(jobs: readonly Job[], done: boolean): (typeof WAIT_OUTCOMES)[number] {
  if (!done) return 'running';
  const failed = jobs.filter((j) => j.status === 'failed').length;
  if (failed === 0) return 'completed';
  return failed === jobs.length ? 'failed' : 'partial';
}

/** At most this many previews per call, so a batch of images cannot flood the context. */
const MAX_PREVIEWS = 4;

async function previewsOf(ctx: RequestContext, jobs: readonly Job[], mode: PreviewMode) {
  const done = jobs.filter((j) => j.status === 'completed');
  if (mode === 'none' || done.length === 0) return undefined;
  if (mode === 'thumbnail') {
    // Unasked for, so it never fails the call: an image that will not shrink under the bound goes without.
    const [job] = done;
    const thumbnail = await makePreview(ctx.variants, job!, THUMBNAIL.side, THUMBNAIL.maxBytes).catch((error) => {
      log.warn('no thumbnail', { job_id: job!.id, error: describeError(error) });
      return undefined;
    });
    return thumbnail && [{ job_id: job!.id, ...thumbnail }];
  }
  // Asked for, but still an extra: an image that cannot be previewed goes without, and the text says why.
  const made = await Promise.all(
    done.slice(0, MAX_PREVIEWS).map(async (job) => {
      try {
        return { job_id: job.id, ...(await makePreview(ctx.variants, job)) };
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        return { job_id: job.id, error: error.message };
      }
    }),
  );
  return made;
}

export async function waitAndReport(
  ctx: RequestContext,
  ids: readonly string[],
  timeoutSeconds: number,
  extra: Extra,
  options: { preview?: PreviewMode; log?: CallLog | undefined } = {},
): Promise<CallToolResult> {
  const load = async () => {
    const jobs = await ctx.store.getMany(ctx.subject, ids);
    if (jobs.length < ids.length) {
      const found = new Set(jobs.map((j) => j.id));
      const missing = ids.filter((id) => !found.has(id));
      throw new AppError(
        'not_found',
        `No job with id ${missing.map((id) => `"${id}"`).join(', ')}. Check the id with list_jobs.`,
      );
    }
    return jobs;
  };
  const progressToken = extra.mcpReq._meta?.progressToken;
  let lastProgress = -1;
  // Progress counts images: finished ones, plus the fraction a running one reports (SD WebUI's sampling steps).
  // It is sent only when it grows, as the protocol requires.
  const notifyProgress = async (current: readonly Job[]) => {
    if (progressToken === undefined) return;
    const { progress, message } = imageProgress(current);
    if (progress <= lastProgress) return;
    lastProgress = progress;
    await extra.mcpReq.notify({
      method: 'notifications/progress',
      params: { progressToken, progress, total: current.length, message },
    });
  };
  const logged = options.log && logChanges(options.log);
  // With all of the subject's places for waits taken, the jobs are read once and reported as they stand.
  const release = await ctx.openWait(timeoutSeconds * 1000);
  const { jobs, done } = await waitForJobs(load, {
    timeoutMs: release ? timeoutSeconds * 1000 : 0,
    signal: extra.mcpReq.signal,
    onPoll:
      progressToken === undefined && !logged
        ? undefined
        : async (current) => {
            await logged?.(current);
            await notifyProgress(current);
          },
  }).finally(() => release?.());
  await notifyProgress(jobs);
  await logged?.(jobs);
  if (!done) await options.log?.('notice', `Still running after ${timeoutSeconds}s; wait again with the job ids.`);

  const notWaited = release
    ? undefined
    : `Not waited: this access token already has ${MAX_OPEN_WAITS} waits open. Call wait_for_completion with these job ids once one of them returns, or check with get_job_status.`;
  return reportJobs(ctx, ids, jobs, { done, timeoutSeconds, preview: options.preview, hint: notWaited });
}

/** Images finished out of those asked for, with a running job's own progress counted as part of an image. */
export function imageProgress(jobs: readonly Job[]): { progress: number; message: string } {
  const finished = jobs.filter((j) => j.status === 'completed' || j.status === 'failed').length;
  const running = jobs.filter((j) => j.status === 'processing' && j.progress !== null && j.progress > 0);
  // A running image counts at most 0.99, so an image is whole only when it is finished.
  const partial = running.reduce((sum, j) => sum + Math.min(0.99, j.progress ?? 0), 0);
  const progress = Math.round((finished + partial) * 100) / 100;
  const steps = running.map((j) => `${Math.round((j.progress ?? 0) * 100)}%`);
  const noun = jobs.length === 1 ? 'image' : 'images';
  return {
    progress,
    message: `${finished}/${jobs.length} ${noun} finished${steps.length ? `; running: ${steps.join(', ')}` : ''}`,
  };
}

/**
 * The wait tools' result for jobs as they stand: also what tasks/result returns for a task, so a
 * task-augmented call ends with exactly the result of the plain call.
 */
export async function reportJobs(
  ctx: RequestContext,
  ids: readonly string[],
  jobs: readonly Job[],
  options: {
    done: boolean;
    timeoutSeconds: number;
    preview?: PreviewMode | undefined;
    /** What to do next when the jobs are still running, in place of "keep waiting". */
    hint?: string | undefined;
  },
): Promise<CallToolResult> {
  const { done, timeoutSeconds } = options;
  const views = await viewsOf(jobs, await ctx.urls());
  const status = outcome(jobs, done);
  const pending = views.filter((v) => v.status === 'pending' || v.status === 'processing').map((v) => v.job_id);
  const hint =
    status === 'running'
      ? (options.hint ??
        `Still working after ${timeoutSeconds}s. Call wait_for_completion with job_ids ${JSON.stringify(pending)} to keep waiting.`)
      : undefined;
  const lines = views.map(describeJob);
  if (hint) lines.push(hint);
  const attempted = await previewsOf(ctx, jobs, options.preview ?? 'none');
  const previews = attempted?.flatMap((p) => ('data' in p ? [p] : []));
  for (const p of attempted ?? [])
    if ('error' in p) lines.push(`No preview of ${p.job_id}: ${p.error} Its image_url shows it.`);
  return {
    content: [
      { type: 'text', text: lines.join('\n') },
      ...imageLinks(views),
      ...(previews ?? []).map((p) => ({ type: 'image' as const, data: p.data, mimeType: p.mimeType })),
    ],
    structuredContent: {
      status,
      job_ids: [...ids],
      jobs: views,
      pending_job_ids: pending,
      ...(hint && { hint }),
      ...(previews && { previews: previews.map(({ data: _, mimeType, ...p }) => ({ ...p, mime_type: mimeType })) }),
    },
  };
}
