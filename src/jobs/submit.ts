/**
 * Turning a generation request into queued jobs: validate against the chosen provider, write every row,
 * then enqueue. If enqueueing fails the rows are marked failed and the caller is told; nothing is lost quietly.
 */
import { AppError, describeError } from '../errors';
import type { ProviderRegistry } from '../providers/registry';
import { resolveSize, type SizeRequest } from '../providers/sizing';
import type { Job, JobMessage } from './model';
import type { JobStore, NewJob } from './store';

export interface GenerateInput extends SizeRequest {
  prompt: string;
  negative_prompt?: string | undefined;
  model?: string | undefined;
  provider: string;
  count: number;
  seed?: number | undefined;
}

export interface SubmitDeps {
  store: JobStore;
  queue: Pick<Queue<JobMessage>, 'sendBatch'>;
  registry: ProviderRegistry;
  now: () => number;
}

const MAX_SEED = 2 ** 32 - 1;

export function planJobs(subject: string, input: GenerateInput, registry: ProviderRegistry): NewJob[] {
  const { provider, model } = registry.resolve(input.provider, input.model);
  const caps = provider.capabilities;
  if (input.negative_prompt && !caps.negativePrompt) {
    throw new AppError('bad_request', `Provider "${provider.id}" does not support negative_prompt; leave it out.`);
  }
  const { width, height } = resolveSize(input, caps);
  const batchId = crypto.randomUUID();
  // Each image of a batch gets its own seed, so `count` yields different pictures yet each is reproducible.
  const firstSeed = input.seed ?? crypto.getRandomValues(new Uint32Array(1))[0]!;
  return Array.from({ length: input.count }, (_, i) => ({
    id: crypto.randomUUID(),
    subject,
    batch_id: batchId,
    prompt: input.prompt,
    negative_prompt: input.negative_prompt || null,
    requested_provider: input.provider,
    provider: provider.id,
    model,
    width,
    height,
    seed: caps.seed ? (firstSeed + i) % (MAX_SEED + 1) : null,
  }));
}

/** Returns the jobs as written (status `pending`), so callers need not read them back. */
export async function submitJobs(deps: SubmitDeps, subject: string, input: GenerateInput): Promise<Job[]> {
  const jobs = planJobs(subject, input, deps.registry);
  const ids = jobs.map((j) => j.id);
  const now = deps.now();
  await deps.store.create(jobs, now);
  try {
    await deps.queue.sendBatch(ids.map((id) => ({ body: { job_id: id }, contentType: 'json' as const })));
  } catch (error) {
    const reason = `Could not queue the job: ${describeError(error)}`;
    await deps.store.fail(ids, deps.now(), reason, 'enqueue_failed');
    throw new AppError(
      'unavailable',
      `The image job${ids.length > 1 ? 's were' : ' was'} recorded but could not be queued, so ${ids.length > 1 ? 'they are' : 'it is'} marked failed (${ids.join(', ')}). Please try again.`,
      { cause: error },
    );
  }
  return jobs.map((j) => ({
    ...j,
    status: 'pending',
    attempts: 0,
    lease_until: null,
    error: null,
    error_code: null,
    image_key: null,
    content_type: null,
    image_bytes: null,
    created_at: now,
    updated_at: now,
    started_at: null,
    completed_at: null,
  }));
}
