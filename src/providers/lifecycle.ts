/**
 * Model lifecycles that follow the clock. A catalogue entry says what the provider announced: current, legacy,
 * deprecated or retired, and where published the shutdown date (UTC) and replacement. From its shutdown date on,
 * an entry is retired whatever else it says, with no code change; a request that names a retired model (by id or
 * any alias, including the names the Python and the original Workers servers used) runs on its replacement, and
 * the substitution is recorded in the job's adaptations and said in the result.
 */
import { AppError } from '../errors';
import type { Lifecycle, ModelInfo } from './types';

const DAY_MS = 24 * 3600 * 1000;

/** A model's shutdown as a time: the start of its shutdown day, UTC. */
function shutdownTime(model: Pick<ModelInfo, 'shutdown'>): number | null {
  return model.shutdown ? Date.parse(`${model.shutdown}T00:00:00Z`) : null;
}

export function lifecycleAt(model: Pick<ModelInfo, 'lifecycle' | 'shutdown'>, now: number): Lifecycle {
  const at = shutdownTime(model);
  return at !== null && now >= at ? 'retired' : model.lifecycle;
}

export const isRetired = (model: Pick<ModelInfo, 'lifecycle' | 'shutdown'>, now: number) =>
  lifecycleAt(model, now) === 'retired';

/** Whole days from `now` until the shutdown (1 on the day before), or null when none is due. */
export function daysUntilShutdown(model: Pick<ModelInfo, 'shutdown'>, now: number): number | null {
  const at = shutdownTime(model);
  return at === null || now >= at ? null : Math.ceil((at - now) / DAY_MS);
}

/** Models a request may run on at `now`: neither deprecated nor retired. */
export function usableAt(model: ModelInfo, now: number): boolean {
  const lifecycle = lifecycleAt(model, now);
  return lifecycle !== 'deprecated' && lifecycle !== 'retired';
}

export interface Resolved {
  model: ModelInfo;
  /** Set when the named model was retired: what ran instead and why, for the job's adaptations. */
  substitution: string | null;
}

/**
 * The model that runs for `model` at `now`: itself, or for a retired one its replacement, followed while that is
 * retired too. `named` is the name the caller used (an alias reads as itself in the note).
 */
export function resolveRetired(
  catalogue: readonly ModelInfo[],
  model: ModelInfo,
  now: number,
  named = model.id,
): Resolved {
  if (!isRetired(model, now)) return { model, substitution: null };
  let next: ModelInfo | undefined = model;
  const seen = new Set<string>();
  while (next && isRetired(next, now) && !seen.has(next.id)) {
    seen.add(next.id);
    const replacement: string | undefined = next.replacement;
    next = replacement ? catalogue.find((m) => m.id === replacement) : undefined;
  }
  const when = model.shutdown ? ` on ${model.shutdown}` : '';
  if (!next || isRetired(next, now)) {
    const usable = catalogue.filter((m) => usableAt(m, now)).map((m) => m.id);
    throw new AppError('bad_request', `${named} was retired${when}. Use one of: ${usable.join(', ')}.`);
  }
  return { model: next, substitution: `${named} was retired${when}; used ${next.id}` };
}

/** Whether an adaptation is a retirement substitution, which the result text repeats. */
export const isSubstitution = (adaptation: string) => / was retired( on \d{4}-\d{2}-\d{2})?; used /.test(adaptation);
