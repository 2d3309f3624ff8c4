/**
 * Waiting on jobs by polling D1 with short, growing intervals: quick answers for fast jobs, few reads for
 * slow ones. On timeout the caller gets the jobs as they stand, not an error.
 */
import { isTerminal, type Job } from './model';

export const WAIT_DEFAULT_SECONDS = 25;
/** Below the 60 s request timeout common in MCP clients, with room for the reply. */
export const WAIT_MAX_SECONDS = 50;

/** 50 ms, then 1.4x per poll, capped at 1 s. */
export function* pollDelays(first = 50, factor = 1.4, max = 1000): Generator<number, never> {
  let delay = first;
  for (;;) {
    yield delay;
    delay = Math.min(max, Math.round(delay * factor));
  }
}

export interface WaitOptions {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Called after each poll that did not finish the wait. */
  onPoll?: ((jobs: Job[], elapsedMs: number) => Promise<void> | void) | undefined;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface WaitResult {
  jobs: Job[];
  done: boolean;
}

function sleepFor(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export async function waitForJobs(load: () => Promise<Job[]>, options: WaitOptions): Promise<WaitResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? sleepFor;
  const start = now();
  const delays = pollDelays();
  for (;;) {
    const jobs = await load();
    if (jobs.every((j) => isTerminal(j.status))) return { jobs, done: true };
    const elapsed = now() - start;
    const remaining = options.timeoutMs - elapsed;
    if (remaining <= 0 || options.signal?.aborted) return { jobs, done: false };
    await options.onPoll?.(jobs, elapsed);
    await sleep(Math.min(delays.next().value, remaining), options.signal);
  }
}
