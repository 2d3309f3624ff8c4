/**
 * The queue consumer. Delivery is at least once, so every step is safe to repeat: the claim is a
 * conditional UPDATE with a lease, an image already in R2 is reused instead of generated again, and
 * completion only applies to a job still in `processing`.
 */
import type { Config } from '../config';
import { AppError, describeError } from '../errors';
import type { OriginalSource } from '../images/cf-images';
import { overDecodeBound } from '../images/decode';
import { prepareMask } from '../images/mask';
import { findOriginal, OriginalUpload, originalKey, putOriginal } from '../images/storage';
import { statedSize, type VariantEnv, workingCopy } from '../images/variants';
import { log } from '../log';
import { redact } from '../providers/errors';
import type { ProviderRegistry } from '../providers/registry';
import { imageDimensions, sniffImageType } from '../providers/sniff';
import { type GenerationRequest, type InputImage, ProviderError } from '../providers/types';
import { type Job, JobMessageSchema, type JobParams, retryDelaySeconds } from './model';
import type { JobStore } from './store';

export interface ConsumerDeps {
  store: JobStore;
  bucket: R2Bucket;
  registry: ProviderRegistry;
  config: Pick<Config, 'jobMaxAttempts'>;
  now: () => number;
  /** Overrides each provider's own limit on how long one call may take before it is cut off and retried. */
  providerTimeoutMs?: number;
  /** Configured secrets, scrubbed from every stored error text. */
  secrets?: readonly string[];
  /** How often a running provider call looks whether its job was cancelled (tasks/cancel); default 2 s. */
  cancelPollMs?: number;
  /** Cloudflare Images, which scales edit sources over the decode bound down (IMAGE_TRANSFORMS). */
  transforms?: ImagesBinding | undefined;
  /** Tells provider availability what a generation showed (providers/status.ts recordGeneration). */
  recordGeneration?: (providerId: string, failure?: { code: string; message: string }) => Promise<void>;
}

/** What to do with the message, and why; `subject` names the job's owner for the log line once it is known. */
export type Outcome = ({ ack: true; note: string } | { ack: false; delaySeconds: number; note: string }) & {
  subject?: string;
};

const LEASE_MARGIN_MS = 30_000;

export async function consumeJobs(batch: MessageBatch<unknown>, deps: ConsumerDeps): Promise<void> {
  await Promise.all(
    batch.messages.map(async (message) => {
      const outcome = await processMessage(message.body, deps).catch(
        (error: unknown): Outcome => ({
          ack: false,
          delaySeconds: retryDelaySeconds(message.attempts),
          note: `unexpected error: ${redact(describeError(error), deps.secrets ?? [])}`,
        }),
      );
      const job = JobMessageSchema.safeParse(message.body);
      log.info('job message', {
        message_id: message.id,
        attempts: message.attempts,
        job_id: job.success ? job.data.job_id : null,
        ...outcome,
      });
      if (outcome.ack) message.ack();
      else message.retry({ delaySeconds: outcome.delaySeconds });
    }),
  );
}

export async function processMessage(body: unknown, deps: ConsumerDeps): Promise<Outcome> {
  const parsed = JobMessageSchema.safeParse(body);
  if (!parsed.success) return { ack: true, note: 'malformed message dropped' };
  const jobId = parsed.data.job_id;
  const now = deps.now();
  const timeoutMs = deps.providerTimeoutMs ?? longestTimeout(deps.registry);
  const claim = await deps.store.claim(jobId, now, timeoutMs + LEASE_MARGIN_MS);
  if (!claim.job) {
    const current = claim.current;
    if (!current) return { ack: true, note: `job ${jobId} does not exist` };
    const subject = current.subject;
    if (current.status === 'processing' && current.lease_until !== null) {
      // Another delivery is working on it; look again once its lease has run out.
      const wait = Math.ceil((current.lease_until - now) / 1000) + 1;
      return {
        ack: false,
        delaySeconds: Math.max(1, wait),
        note: `job ${jobId} is leased by another delivery`,
        subject,
      };
    }
    // A job cancelled through tasks/cancel before it ran lands here (failed, error_code 'cancelled'): skipped.
    return { ack: true, note: `job ${jobId} is already ${current.status}`, subject };
  }
  return { ...(await runJob(claim.job, deps, timeoutMs)), subject: claim.job.subject };
}

/**
 * The lease is taken before the row (and so the provider) is read, since messages carry only the id: the
 * longest timeout among this deployment's providers is a safe bound.
 */
function longestTimeout(registry: ProviderRegistry): number {
  return Math.max(60_000, ...[...registry.providers.values()].map((p) => p.timeoutMs));
}

function requestOf(job: Job): GenerationRequest {
  const params: Partial<JobParams> = job.params ? (JSON.parse(job.params) as JobParams) : {};
  return {
    prompt: job.prompt,
    negativePrompt: job.negative_prompt,
    model: job.model ?? '',
    width: job.width,
    height: job.height,
    seed: job.seed,
    aspectRatio: params.aspectRatio ?? null,
    resolution: params.resolution ?? null,
    steps: params.steps ?? null,
    quality: params.quality ?? null,
    outputFormat: params.outputFormat ?? null,
    background: params.background ?? null,
    strength: params.strength ?? null,
  };
}

/**
 * A source image (or mask) as stored in R2; over the decode bound, its scaled-down working copy
 * (images/cf-images.ts), which every provider gets instead: uploading the original would cost the Worker
 * several times its size in memory. One deleted since the edit was queued fails the job for good.
 */
async function loadSource(images: VariantEnv, id: string, role: string): Promise<InputImage> {
  const missing = () =>
    new ProviderError(`The ${role} "${id}" no longer exists or is not an image.`, false, 'source_missing');
  const original = async () => {
    const object = await images.IMAGES.get(originalKey(id));
    if (!object) throw missing();
    return object;
  };
  const scaledDown = async (size: { width: number; height: number }, read: () => Promise<OriginalSource>) => {
    try {
      const copy = await workingCopy(images, id, size, read);
      return { bytes: copy.bytes, contentType: 'image/png', width: copy.width, height: copy.height };
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      throw new ProviderError(`The ${role} "${id}" cannot be used: ${error.message}`, false, 'source_too_large');
    }
  };
  const head = await images.IMAGES.head(originalKey(id));
  if (!head) throw missing();
  const stated = statedSize(head);
  if (stated && overDecodeBound(stated)) return scaledDown(stated, async () => (await original()).body);
  const bytes = new Uint8Array(await (await original()).arrayBuffer());
  const contentType = sniffImageType(bytes);
  const size = imageDimensions(bytes);
  if (!contentType || !size) throw missing();
  if (overDecodeBound(size)) return scaledDown(size, async () => bytes);
  return { bytes, contentType, ...size };
}

/** The request with the edit's sources (and mask, in both conventions) loaded, for an image-to-image job. */
async function withSources(request: GenerationRequest, job: Job, images: VariantEnv): Promise<GenerationRequest> {
  if (!job.source_ids) return request;
  const ids = JSON.parse(job.source_ids) as string[];
  const sources = await Promise.all(ids.map((id) => loadSource(images, id, 'source image')));
  if (!job.mask_id) return { ...request, images: sources };
  const stored = await loadSource(images, job.mask_id, 'mask');
  const first = sources[0]!;
  try {
    return { ...request, images: sources, mask: await prepareMask(stored.bytes, first.width, first.height) };
  } catch (error) {
    throw new ProviderError(`The mask "${job.mask_id}" cannot be used: ${describeError(error)}`, false, 'bad_mask', {
      cause: error,
    });
  }
}

/**
 * Aborts `controller` once the job stops being `processing` under us (cancelled through tasks/cancel, or
 * failed by the sweeper), so a provider call that honours its signal is cut off instead of running on.
 */
function watchForCancel(job: Job, deps: ConsumerDeps, controller: AbortController): () => void {
  const timer = setInterval(async () => {
    const status = await deps.store.statusOf(job.id).catch(() => 'processing' as const);
    if (status !== 'processing') controller.abort(new DOMException('The job was cancelled.', 'AbortError'));
  }, deps.cancelPollMs ?? 2000);
  return () => clearInterval(timer);
}

/** One structured line per finished job: who, which provider, and where the time went. */
function logCompleted(job: Job, providerId: string, times: { providerDone: number | null; stored: number }): void {
  const started = job.started_at ?? job.created_at;
  log.info('job completed', {
    job_id: job.id,
    subject: job.subject,
    provider: providerId,
    attempts: job.attempts,
    queue_ms: started - job.created_at,
    provider_ms: times.providerDone === null ? null : times.providerDone - started,
    store_ms: times.providerDone === null ? null : times.stored - times.providerDone,
    total_ms: times.stored - job.created_at,
  });
}

async function runJob(job: Job, deps: ConsumerDeps, leaseTimeoutMs: number): Promise<Outcome> {
  const { store } = deps;
  // Only a delivery that claimed the job before can have stored its image: on the first claim
  // (attempts counts claims, store.claim) there is nothing to find, and one R2 read per image is saved.
  const existing = job.attempts > 1 ? await findOriginal(deps.bucket, job.id) : null;
  if (existing) {
    const meta = existing.customMetadata ?? {};
    await store.complete(job.id, deps.now(), {
      image_key: originalKey(job.id),
      content_type: existing.httpMetadata?.contentType ?? 'application/octet-stream',
      image_bytes: existing.size,
      provider: meta.provider ?? job.provider ?? 'unknown',
      model: meta.model ?? job.model ?? 'unknown',
      seed: meta.seed ? Number(meta.seed) : job.seed,
      width: Number(meta.width) || job.width,
      height: Number(meta.height) || job.height,
    });
    return { ack: true, note: `job ${job.id} completed from the image already stored` };
  }

  const provider = job.provider ? deps.registry.providers.get(job.provider) : undefined;
  if (!provider) {
    await store.fail(
      [job.id],
      deps.now(),
      `Provider "${job.provider}" is no longer configured on this server.`,
      'provider_missing',
    );
    return { ack: true, note: `job ${job.id} failed: provider missing` };
  }

  const cancel = new AbortController();
  const stopWatching = watchForCancel(job, deps, cancel);
  const meta = { subject: job.subject, prompt: job.prompt, provider: provider.id };
  // Where a streamed answer writes an image too large to hold; unused (no R2 call) for every other image.
  const spill = new OriginalUpload(deps.bucket, job.id, { ...meta, model: job.model ?? 'unknown', seed: job.seed });
  let stored: R2Object | null = null;
  try {
    const timeoutMs = Math.min(leaseTimeoutMs, deps.providerTimeoutMs ?? provider.timeoutMs);
    const request = await withSources(requestOf(job), job, { IMAGES: deps.bucket, IMAGE_TRANSFORMS: deps.transforms });
    const generated = await provider.generate(request, {
      signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), cancel.signal]),
      onProgress: (fraction) => store.progress(job.id, fraction, deps.now()),
      spill,
    });
    stopWatching();
    const providerDone = deps.now();
    if (cancel.signal.aborted) return { ack: true, note: `job ${job.id} was cancelled while generating` };
    const spilled = spill.written > 0 && generated.continuesSpill === true;
    // Parts of another image of the answer (an interim one) went to the spill: the chosen one is whole here.
    if (spill.written > 0 && !spilled) await spill.abort();
    if (!spilled && generated.bytes.byteLength === 0)
      throw new ProviderError(`${provider.id} returned an empty image.`, false, 'malformed_response');
    // The header's size is the truth; a provider may not return the size it was asked for.
    const image = { ...generated, ...imageDimensions(spilled ? spill.head! : generated.bytes) };
    stored = spilled
      ? await spill.finish(generated.bytes)
      : await putOriginal(deps.bucket, job.id, image, { ...meta, model: image.model, seed: image.seed });
    const storedAt = deps.now();
    const completed = await store.complete(job.id, storedAt, {
      image_key: stored.key,
      content_type: image.contentType,
      image_bytes: stored.size,
      provider: provider.id,
      model: image.model,
      seed: image.seed,
      width: image.width,
      height: image.height,
      revised_prompt: image.revisedPrompt ?? null,
      provider_meta: image.metadata ? JSON.stringify(image.metadata) : null,
      provider_done_at: providerDone,
      stored_at: storedAt,
    });
    if (!completed && (await store.statusOf(job.id)) === 'failed') {
      // Cancelled between the provider's answer and completion: the image belongs to no job, so drop it.
      await deps.bucket.delete(stored.key);
      return { ack: true, note: `job ${job.id} was cancelled before its image was stored` };
    }
    logCompleted(job, provider.id, { providerDone, stored: storedAt });
    await deps.recordGeneration?.(provider.id);
    return { ack: true, note: `job ${job.id} completed` };
  } catch (error) {
    if (cancel.signal.aborted) return { ack: true, note: `job ${job.id} was cancelled while generating` };
    return handleFailure(job, error, deps);
  } finally {
    stopWatching();
    if (!stored) await spill.abort();
  }
}

async function handleFailure(job: Job, error: unknown, deps: ConsumerDeps): Promise<Outcome> {
  const timedOut = error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError');
  // A refusal of the request itself (an AppError below 500, such as an edit source over the decode bound)
  // would be refused again: it fails the job at once. Anything else unexpected is retried.
  const refused = error instanceof AppError && error.status < 500;
  const retryable = timedOut || (error instanceof ProviderError ? error.retryable : !refused);
  const code = error instanceof ProviderError ? error.code : refused ? error.code : timedOut ? 'timeout' : 'internal';
  const message = redact(
    timedOut ? `${job.provider} did not answer in time.` : describeError(error),
    deps.secrets ?? [],
  );
  if (!retryable || job.attempts >= deps.config.jobMaxAttempts) {
    // Only a final failure speaks for the provider: one retried 5xx says little.
    if (job.provider) await deps.recordGeneration?.(job.provider, { code, message });
    const final = retryable ? `Gave up after ${job.attempts} attempts. Last error: ${message}` : message;
    await deps.store.fail([job.id], deps.now(), final, code);
    return { ack: true, note: `job ${job.id} failed: ${final}` };
  }
  await deps.store.release(job.id, deps.now(), message, code);
  const delaySeconds = retryDelaySeconds(job.attempts);
  return { ack: false, delaySeconds, note: `job ${job.id} will be retried in ${delaySeconds}s: ${message}` };
}
