/** What every scenario is handed (the running server, a client for it, the run's mode) and shared waiting. */
import type { DevServer } from '../../test/e2e/wrangler-dev.ts';
import type { BenchClient } from '../client.ts';

export interface BenchContext {
  client: BenchClient;
  server: DevServer;
  /** Quick mode (CI): each scenario runs briefly, only to show it completes. */
  quick: boolean;
  /** Whether R2 and Cloudflare Images run in the storage host (bench/storage-host.ts), apart from the Worker. */
  storageApart: boolean;
  log: (message: string) => void;
}

/** The placeholder provider at a small size: the figures then measure the server, not the drawing. */
export const SMALL_IMAGE = { provider: 'placeholder', width: 256, height: 256 } as const;

/** wrangler dev reloads the Worker when a source file changes, and the bench counters restart with it. */
export class ReloadedError extends Error {
  constructor() {
    super('the Worker was reloaded (a source file changed) while its counters were in use');
  }
}

/** Polls until `done` holds. */
export async function until(what: string, done: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits for the consumer to ack `count` messages, as the bench counts them: polling D1 would add load. */
export function untilAcked(ctx: BenchContext, count: number, isolate: string): Promise<void> {
  return until(
    `${count} jobs to be acknowledged`,
    async () => {
      const snapshot = await ctx.client.counters();
      if (snapshot.isolate !== isolate) throw new ReloadedError();
      return snapshot.origins.queue.consumer.acks >= count;
    },
    180_000,
  );
}

/** Runs a measurement that relies on the counters again when the Worker reloaded in the middle of it. */
export async function measureCounted<T>(ctx: BenchContext, measure: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await measure();
    } catch (error) {
      if (!(error instanceof ReloadedError) || attempt === 3) throw error;
      ctx.log(`  ${error.message}: measuring again`);
    }
  }
}
