/** Messages that exhausted their retries land here; their jobs are marked failed so no caller waits forever. */
import { log } from '../log';
import { JobMessageSchema } from './model';
import type { JobStore } from './store';

export async function consumeDeadLetters(
  batch: MessageBatch<unknown>,
  store: JobStore,
  now: () => number,
): Promise<void> {
  const ids = batch.messages.flatMap((m) => {
    const parsed = JobMessageSchema.safeParse(m.body);
    return parsed.success ? [parsed.data.job_id] : [];
  });
  const changed = await store.fail(
    ids,
    now(),
    'Generation failed repeatedly and was abandoned after the maximum number of retries.',
    'retries_exhausted',
  );
  log.warn('dead letters', { count: batch.messages.length, job_ids: ids, failed: changed });
  batch.ackAll();
}
