/** The local Rate Limiting binding counts in windows aligned to the wall clock (miniflare's simulation). */
import { RATE_LIMIT } from '../../src/config';

/** Waits for the next window when this one has too little time left for a test to spend the limit in it. */
export async function freshWindow(): Promise<void> {
  const period = RATE_LIMIT.periodSeconds * 1000;
  const left = period - (Date.now() % period);
  if (left < 15_000) await new Promise((resolve) => setTimeout(resolve, left + 50));
}
