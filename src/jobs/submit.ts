/**
 * Turning a generation or edit request into queued jobs: route it to a provider and model, fit it to that
 * model, write every row, then enqueue. If enqueueing fails the rows are marked failed and the caller is told;
 * nothing is lost quietly.
 */
import { AppError, describeError } from '../errors';
import { canonicalProviderId } from '../providers/ids';
import type { PlanInput } from '../providers/plan';
import { planRequest, sizeFromSource } from '../providers/plan';
import type { ProviderRegistry } from '../providers/registry';
import { type ConfirmedRoute, route } from '../providers/routing';
import type { ProviderStatus } from '../providers/status';
import { applyStyle } from '../styles/model';
import type { StyleStore } from '../styles/store';
import type { Job, JobMessage, JobParams } from './model';
import type { JobStore, NewJob } from './store';

export interface GenerateInput extends PlanInput {
  model?: string | undefined;
  /** Any spelling canonicalProviderId reads; left out, the server's DEFAULT_PROVIDER. */
  provider?: string | undefined;
  count: number;
  allow_paid?: boolean | undefined;
  /** The paid provider and model the person confirmed for this very call; any other paid route is refused. */
  confirmedPaid?: ConfirmedRoute | undefined;
  /** Present for image-to-image: the caller's finished images, already resolved and checked. */
  edit?: EditSources | undefined;
  /** A style name (the caller's own or a built-in), applied before routing and recorded on each job. */
  style?: string | undefined;
}

export interface EditSources {
  images: readonly Job[];
  mask: Job | null;
  strength?: number | undefined;
}

export interface SubmitDeps {
  store: JobStore;
  queue: Pick<Queue<JobMessage>, 'sendBatch'>;
  registry: ProviderRegistry;
  /** Availability per provider id; providers missing here count as available. */
  statuses: () => Promise<ReadonlyMap<string, ProviderStatus>>;
  paidProviders: readonly string[];
  defaultProvider: string;
  now: () => number;
  /** Counts images against the caller's daily quota, or throws when it is spent (see quota.ts). */
  reserveImages?: (count: number) => Promise<void>;
  /** Needed only for requests that name a style. */
  styles?: Pick<StyleStore, 'resolve'>;
  /** Edits only: whether sources over the decode bound can be scaled down (Cloudflare Images). */
  variants?: { IMAGE_TRANSFORMS?: ImagesBinding | undefined };
}

const MAX_SEED = 2 ** 32 - 1;

export async function planJobs(
  subject: string,
  input: GenerateInput,
  deps: Pick<SubmitDeps, 'registry' | 'statuses' | 'paidProviders' | 'defaultProvider'> &
    Partial<Pick<SubmitDeps, 'now'>>,
): Promise<NewJob[]> {
  // Routing reads any spelling (and names the caller's in a refusal); the job records the canonical id.
  const provider = input.provider ?? deps.defaultProvider;
  const statuses = await deps.statuses();
  const candidates = [...deps.registry.providers.values()].map((p) => {
    const status = statuses.get(p.id);
    return {
      id: p.id,
      catalogue: p.catalogue,
      defaultModel: p.defaultModel,
      available: status?.available ?? true,
      reason: status?.reason ?? undefined,
      attemptable: status?.downBy === 'generation',
    };
  });
  const chosen = route(
    {
      provider,
      model: input.model,
      prompt: input.prompt,
      wantsNegativePrompt: Boolean(input.negative_prompt?.trim()),
      allowPaid: input.allow_paid ?? false,
      confirmedPaid: input.confirmedPaid,
      paidProviders: deps.paidProviders,
      edit: input.edit && { images: input.edit.images.length, mask: input.edit.mask !== null },
      now: deps.now?.(),
    },
    candidates,
  );
  const edit = input.edit;
  const first = edit?.images[0];
  const { request, adaptations } = planRequest(
    chosen.model,
    first ? sizeFromSource(input, first, chosen.model.capabilities.sizes) : input,
  );
  // A retired model's substitution comes first: it changes more than any fitting below.
  if (chosen.substitution) adaptations.unshift(chosen.substitution);
  let strength = edit?.strength ?? null;
  if (strength !== null && !chosen.model.capabilities.strength) {
    adaptations.push(`strength ignored: ${chosen.model.id} takes none (say in the prompt how much to change)`);
    strength = null;
  }
  const params: JobParams = {
    aspectRatio: request.aspectRatio,
    resolution: request.resolution,
    steps: request.steps,
    quality: request.quality,
    outputFormat: request.outputFormat,
    background: request.background,
    ...(edit && { strength }),
  };
  const batchId = crypto.randomUUID();
  // Each image of a batch gets its own seed, so `count` yields different pictures yet each is reproducible.
  const seeded = chosen.model.capabilities.seed;
  const firstSeed = request.seed ?? crypto.getRandomValues(new Uint32Array(1))[0]!;
  return Array.from({ length: input.count }, (_, i) => ({
    id: crypto.randomUUID(),
    subject,
    batch_id: batchId,
    prompt: request.prompt,
    negative_prompt: request.negativePrompt,
    requested_provider: canonicalProviderId(provider),
    provider: chosen.providerId,
    model: chosen.model.id,
    width: request.width,
    height: request.height,
    seed: seeded ? (firstSeed + i) % (MAX_SEED + 1) : null,
    params: JSON.stringify(params),
    route_reason: chosen.reason,
    adaptations: adaptations.length ? JSON.stringify(adaptations) : null,
    cost_usd: chosen.model.costUsd ?? null,
    source_ids: edit ? JSON.stringify(edit.images.map((j) => j.id)) : null,
    mask_id: edit?.mask?.id ?? null,
    style: input.style ?? null,
  }));
}

/** Returns the jobs as written (status `pending`), so callers need not read them back. */
export async function submitJobs(deps: SubmitDeps, subject: string, input: GenerateInput): Promise<Job[]> {
  const jobs = await planJobs(subject, await styled(deps, subject, input), deps);
  // After planning, so a request refused as invalid costs no quota.
  await deps.reserveImages?.(jobs.length);
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
    provider_done_at: null,
    stored_at: null,
    completed_at: null,
    progress: null,
    revised_prompt: null,
    provider_meta: null,
    source_ids: j.source_ids ?? null,
    mask_id: j.mask_id ?? null,
    style: j.style ?? null,
  }));
}

/** The input with its style applied (an edit keeps its source's size); unknown names fail before anything runs. */
async function styled(deps: SubmitDeps, subject: string, input: GenerateInput): Promise<GenerateInput> {
  if (input.style === undefined) return input;
  if (!deps.styles) throw new AppError('internal', 'Styles are not available here.');
  const style = await deps.styles.resolve(subject, input.style);
  return { ...applyStyle(input, style, { keepSize: input.edit !== undefined }), style: style.name };
}
