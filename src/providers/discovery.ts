/**
 * Reading a provider's model or checkpoint list without letting one odd entry spoil it: forks and older builds
 * of SD WebUI list checkpoints without `filename`, APIs add entries of new shapes. Each entry is read on its own;
 * a malformed one is skipped and logged, the rest is used. Only an answer that is no list at all is a failure.
 */
import type * as z from 'zod';
import { log } from '../log';
import { ProviderError } from './types';

export function wellFormedEntries<T>(provider: string, list: unknown, entry: z.ZodType<T>, what: string): T[] {
  if (!Array.isArray(list))
    throw new ProviderError(
      `${provider} returned something unexpected: ${what} is not a list`,
      false,
      'malformed_response',
    );
  const kept: T[] = [];
  const skipped: number[] = [];
  list.forEach((item, index) => {
    const parsed = entry.safeParse(item);
    if (parsed.success) kept.push(parsed.data);
    else skipped.push(index);
  });
  if (skipped.length > 0)
    log.warn('skipped malformed entries of a provider list', { provider, list: what, skipped, kept: kept.length });
  return kept;
}
