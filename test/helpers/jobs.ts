/** Building blocks for job tests: rows written straight to D1 and a provider that fails on a script. */
import { env } from 'cloudflare:test';
import type { ConsumerDeps } from '../../src/jobs/consumer';
import { JobStore, type NewJob } from '../../src/jobs/store';
import { TaskStore } from '../../src/jobs/task-store';
import { PlaceholderProvider } from '../../src/providers/placeholder';
import type { ProviderRegistry } from '../../src/providers/registry';
import {
  type GeneratedImage,
  type GenerationContext,
  type GenerationRequest,
  type ImageProvider,
  ProviderError,
} from '../../src/providers/types';

export function newJob(overrides: Partial<NewJob> = {}): NewJob {
  return {
    id: crypto.randomUUID(),
    subject: 'alice',
    batch_id: crypto.randomUUID(),
    prompt: 'a test image',
    negative_prompt: null,
    requested_provider: 'auto',
    provider: 'scripted',
    model: 'placeholder',
    width: 64,
    height: 64,
    seed: 1,
    params: null,
    route_reason: null,
    adaptations: null,
    cost_usd: null,
    ...overrides,
  };
}

export async function insertJob(overrides: Partial<NewJob> = {}): Promise<NewJob> {
  const job = newJob(overrides);
  await new JobStore(env.DB).create([job], Date.now());
  return job;
}

/** A task whose one job was written but never queued: it stays working until something acts on it. */
export async function queuedTask(subject = 'alice') {
  const job = await insertJob({ subject, provider: 'scripted' });
  const row = await new TaskStore(env.DB, subject).create({
    tool: 'generate_image_and_wait',
    jobIds: [job.id],
    preview: false,
    ttlMs: 3_600_000,
    pollIntervalMs: 2000,
  });
  return { job, taskId: row.id };
}

export type Step = 'ok' | 'transient' | 'permanent' | 'hang' | 'empty';

/** A provider that follows a script of outcomes, one per call, then succeeds; it counts its calls. */
export class ScriptedProvider implements ImageProvider {
  readonly id = 'scripted';
  readonly label = 'Scripted test provider';
  readonly catalogue = new PlaceholderProvider().catalogue;
  readonly defaultModel = 'placeholder';
  readonly timeoutMs = 10_000;
  calls = 0;
  private readonly inner = new PlaceholderProvider();

  constructor(
    private readonly script: Step[] = [],
    private readonly byRequest?: (request: GenerationRequest) => Step | undefined,
  ) {}

  async generate(request: GenerationRequest, ctx: GenerationContext): Promise<GeneratedImage> {
    const { signal } = ctx;
    const step = this.byRequest?.(request) ?? this.script[this.calls] ?? 'ok';
    this.calls++;
    switch (step) {
      case 'transient':
        throw new ProviderError('upstream is overloaded (503)', true);
      case 'permanent':
        throw new ProviderError('the prompt was refused by the content policy', false, 'content_policy');
      case 'empty':
        return { ...(await this.inner.generate(request, ctx)), bytes: new Uint8Array() };
      case 'hang':
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      default:
        return this.inner.generate(request, ctx);
    }
  }
}

export function consumerDeps(provider: ImageProvider, overrides: Partial<ConsumerDeps> = {}): ConsumerDeps {
  const registry: ProviderRegistry = { providers: new Map([[provider.id, provider]]) };
  return {
    store: new JobStore(env.DB),
    bucket: env.IMAGES,
    registry,
    config: { jobMaxAttempts: 3 },
    now: Date.now,
    ...overrides,
  };
}

export async function jobRow(id: string) {
  return env.DB.prepare('SELECT * FROM jobs WHERE id = ?').bind(id).first<Record<string, unknown>>();
}
