/** Everything a tool needs for one request, built once per request (never shared between requests). */
import type { Config } from '../config';
import { signingSecret } from '../images/signing';
import type { UrlContext } from '../images/urls';
import type { VariantEnv } from '../images/variants';
import { claimConfirmation } from '../jobs/confirmations';
import type { JobMessage } from '../jobs/model';
import { openWait, type ReleaseWait } from '../jobs/open-waits';
import { reserveImages } from '../jobs/quota';
import { JobStore } from '../jobs/store';
import { TaskStore } from '../jobs/task-store';
import { type Usage, usageOf } from '../jobs/usage';
import { type ProviderRegistry, registryFor } from '../providers/registry';
import { type ProviderStatus, providerStatuses } from '../providers/status';
import { StyleStore } from '../styles/store';
import { type RequestStates, requestStates } from './request-state';

export interface RequestContext {
  subject: string;
  /** Absolute origin for links, e.g. https://img.example.com (PUBLIC_BASE_URL or the request's own). */
  baseUrl: string;
  config: Config;
  store: JobStore;
  styles: StyleStore;
  /** MCP tasks (task-augmented tool calls) of this subject. */
  tasks: TaskStore;
  bucket: R2Bucket;
  /** Where transforms and previews are stored and, past the decode bound, who makes them (images/variants.ts). */
  variants: VariantEnv;
  queue: Queue<JobMessage>;
  registry: ProviderRegistry;
  statuses: (options?: { refresh?: boolean }) => Promise<ReadonlyMap<string, ProviderStatus>>;
  paidProviders: readonly string[];
  /** What `provider` is when a call leaves it out (DEFAULT_PROVIDER). */
  defaultProvider: string;
  now: () => number;
  urls: () => Promise<UrlContext>;
  /** Seals and verifies multi-round-trip requestState for this subject (see request-state.ts). */
  requestStates: RequestStates;
  reserveImages: (count: number) => Promise<void>;
  /** Takes one of this subject's places for a long wait (see jobs/open-waits.ts); undefined when all are held. */
  openWait: (maxMs: number) => Promise<ReleaseWait | undefined>;
  /** This subject's images, estimated spend and quota left, from the job rows (see jobs/usage.ts). */
  usage: () => Promise<Usage>;
  /** Marks a paid-provider confirmation used; false when it already was (see jobs/confirmations.ts). */
  claimConfirmation: (nonce: string, expiresAt: number) => Promise<boolean>;
}

export function createRequestContext(
  env: Pick<Env, 'DB' | 'JOBS' | 'IMAGES'> & {
    AI?: Env['AI'] | undefined;
    IMAGE_TRANSFORMS?: Env['IMAGE_TRANSFORMS'] | undefined;
  },
  config: Config,
  subject: string,
  requestUrl: string,
): RequestContext {
  const baseUrl = config.publicBaseUrl ?? new URL(requestUrl).origin;
  let urls: Promise<UrlContext> | undefined;
  const secret = () => signingSecret(env.DB, config);
  const registry = registryFor(config, { AI: env.AI });
  return {
    subject,
    baseUrl,
    config,
    store: new JobStore(env.DB),
    styles: new StyleStore(env.DB),
    tasks: new TaskStore(env.DB, subject),
    bucket: env.IMAGES,
    variants: { IMAGES: env.IMAGES, IMAGE_TRANSFORMS: env.IMAGE_TRANSFORMS },
    queue: env.JOBS as Queue<JobMessage>,
    registry,
    statuses: (options) => providerStatuses(env.DB, registry, options),
    paidProviders: config.paidProviders,
    defaultProvider: config.defaultProvider,
    now: Date.now,
    requestStates: requestStates(secret, subject),
    claimConfirmation: (nonce, expiresAt) => claimConfirmation(env.DB, nonce, subject, Date.now(), expiresAt),
    reserveImages: (count) => reserveImages(env.DB, subject, count, config.dailyImageQuota, Date.now()),
    openWait: (maxMs) => openWait(env.DB, subject, maxMs, Date.now()),
    usage: () => usageOf(env.DB, subject, config.dailyImageQuota, Date.now()),
    urls: () => {
      urls ??= secret().then((value) => ({
        baseUrl,
        config,
        secret: value,
        nowSeconds: Math.floor(Date.now() / 1000),
      }));
      return urls;
    },
  };
}
