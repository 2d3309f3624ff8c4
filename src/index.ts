/** Worker entry: HTTP (MCP over Streamable HTTP and SSE, images), the job queues and the cron sweeper. */
import { loadConfig, secretsOf } from './config';
import { app } from './http/app';
import { pruneConfirmations } from './jobs/confirmations';
import { consumeJobs } from './jobs/consumer';
import { consumeDeadLetters } from './jobs/dead-letter';
import type { JobMessage } from './jobs/model';
import { pruneOpenWaits } from './jobs/open-waits';
import { pruneUsage } from './jobs/quota';
import { expireImages } from './jobs/retention';
import { JobStore } from './jobs/store';
import { sweepStuckJobs } from './jobs/sweeper';
import { pruneTasks } from './jobs/task-store';
import { withOAuth } from './oauth/entry';
import { registryFor } from './providers/registry';
import { recordGeneration } from './providers/status';
import { SseMailbox } from './sse/mailbox';

export default {
  fetch: withOAuth(app.fetch),

  async queue(batch, env) {
    const store = new JobStore(env.DB);
    if (batch.queue.endsWith('-dlq')) return consumeDeadLetters(batch, store, Date.now);
    const config = loadConfig(env);
    await consumeJobs(batch, {
      store,
      bucket: env.IMAGES,
      transforms: env.IMAGE_TRANSFORMS,
      registry: registryFor(config, { AI: env.AI }),
      config,
      now: Date.now,
      secrets: secretsOf(config),
      recordGeneration: (providerId, failure) => recordGeneration(env.DB, providerId, Date.now(), failure),
    });
  },

  async scheduled(_controller, env) {
    const config = loadConfig(env);
    const now = Date.now();
    await sweepStuckJobs(new JobStore(env.DB), env.JOBS as Queue<JobMessage>, config, now);
    await new SseMailbox(env.DB).sweep(now);
    await expireImages(new JobStore(env.DB), env.IMAGES, config.imageRetentionDays, now);
    await pruneUsage(env.DB, now);
    await pruneTasks(env.DB, now);
    await pruneConfirmations(env.DB, now);
    await pruneOpenWaits(env.DB, now);
  },
} satisfies ExportedHandler<Env, unknown>;
