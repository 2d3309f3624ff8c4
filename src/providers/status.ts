/**
 * Provider availability and discovered model lists, cached in D1 so every isolate shares one answer and
 * provider APIs are asked at most every few minutes (down providers are asked again sooner).
 *
 * Discovery bends: a model list that cannot be fetched or read leaves the static catalogue in use and the
 * provider available (generation is still attempted), unless the provider refused our credentials. Only an auth
 * failure, or a generation that fails because the provider is unreachable, erroring or refusing the key, marks a
 * provider down; the next generation that succeeds marks it up again at once (recordGeneration).
 */
import { describeError } from '../errors';
import type { ProviderRegistry } from './registry';
import { type ImageProvider, ProviderError } from './types';

export interface ProviderStatus {
  provider: string;
  available: boolean;
  reason: string | null;
  /** Model ids the provider's API listed; null where it has no list or was not reached. */
  discovered: string[] | null;
  checkedAt: number;
  /** What marked it down: its probe (nothing can work) or a failed generation (a call naming it is still tried). */
  downBy?: 'probe' | 'generation' | null;
}

const UP_TTL_MS = 10 * 60_000;
/** The least time between two probes of one provider that a refresh can cause (list_providers refresh: true). */
const REFRESH_MIN_MS = 30_000;
const DOWN_TTL_MS = 60_000;
const PROBE_TIMEOUT_MS = 5000;

interface Row {
  provider: string;
  available: number;
  reason: string | null;
  models: string | null;
  checked_at: number;
  down_by: string | null;
}

const memory = new WeakMap<D1Database, { at: number; statuses: Map<string, ProviderStatus> }>();
const MEMORY_MS = 30_000;

function fresh(status: ProviderStatus, now: number): boolean {
  return now - status.checkedAt < (status.available ? UP_TTL_MS : DOWN_TTL_MS);
}

/** Failures that say no generation can work: refused credentials, or a binding that cannot run here (local mode). */
const CANNOT_WORK = new Set(['auth_failed', 'provider_unusable']);

/** Failure codes of a generation that say the provider, not the request, is at fault (see providers/errors.ts). */
const DOWN_CODES = new Set([...CANNOT_WORK, 'provider_unavailable', 'provider_unreachable']);

async function probe(provider: ImageProvider, now: number): Promise<ProviderStatus> {
  if (!provider.discover)
    return { provider: provider.id, available: true, reason: null, discovered: null, checkedAt: now };
  try {
    const discovered = await provider.discover(AbortSignal.timeout(PROBE_TIMEOUT_MS));
    return { provider: provider.id, available: true, reason: null, discovered, checkedAt: now };
  } catch (error) {
    const auth = error instanceof ProviderError && CANNOT_WORK.has(error.code);
    const detail = describeError(error).slice(0, 280);
    return {
      provider: provider.id,
      available: !auth,
      reason: auth ? detail : `model list unavailable, using the built-in catalogue: ${detail}`,
      discovered: null,
      checkedAt: now,
      downBy: auth ? 'probe' : null,
    };
  }
}

/**
 * What a generation says of its provider: a job's final failure with a DOWN_CODES code marks it down (until the
 * next probe or success: `auto` routes around it, a call that names it is still tried); a success clears a down
 * mark at once. A success costs one UPDATE that usually changes nothing.
 */
export async function recordGeneration(
  db: D1Database,
  providerId: string,
  now: number,
  failure?: { code: string; message: string },
): Promise<void> {
  if (failure && !DOWN_CODES.has(failure.code)) return;
  if (failure) {
    memory.delete(db);
    await db
      .prepare(
        `INSERT INTO provider_status (provider, available, reason, models, checked_at, down_by)
         VALUES (?1, 0, ?2, NULL, ?3, 'generation')
         ON CONFLICT (provider) DO UPDATE SET available = 0, reason = ?2, checked_at = ?3, down_by = 'generation'`,
      )
      .bind(providerId, `generation failed: ${failure.message}`.slice(0, 300), now)
      .run();
    return;
  }
  const cleared = await db
    .prepare(
      'UPDATE provider_status SET available = 1, reason = NULL, down_by = NULL, checked_at = ? WHERE provider = ? AND available = 0',
    )
    .bind(now, providerId)
    .run();
  // Most successes change nothing; only a cleared mark makes this isolate's cached statuses stale.
  if (cleared.meta.changes > 0) memory.delete(db);
}

/**
 * Claims the next probe of a provider: moves its checked_at to `now` only if it still holds what this caller
 * read, so of many callers that found it due, one probes. A provider never seen gets a placeholder row.
 */
async function claimProbe(
  db: D1Database,
  providerId: string,
  known: ProviderStatus | undefined,
  now: number,
): Promise<boolean> {
  const result = known
    ? await db
        .prepare('UPDATE provider_status SET checked_at = ? WHERE provider = ? AND checked_at = ?')
        .bind(now, providerId, known.checkedAt)
        .run()
    : await db
        .prepare(
          'INSERT INTO provider_status (provider, available, reason, models, checked_at) VALUES (?, 1, NULL, NULL, ?) ON CONFLICT (provider) DO NOTHING',
        )
        .bind(providerId, now)
        .run();
  return result.meta.changes > 0;
}

/** Status of every configured provider; probes those never checked, stale, or all of them on `refresh`. */
export async function providerStatuses(
  db: D1Database,
  registry: ProviderRegistry,
  options: { refresh?: boolean; now?: number } = {},
): Promise<Map<string, ProviderStatus>> {
  const now = options.now ?? Date.now();
  const cached = memory.get(db);
  if (
    !options.refresh &&
    cached &&
    now - cached.at < MEMORY_MS &&
    [...registry.providers.keys()].every((id) => cached.statuses.has(id))
  ) {
    return cached.statuses;
  }
  const { results } = await db.prepare('SELECT * FROM provider_status').all<Row>();
  const statuses = new Map<string, ProviderStatus>();
  for (const row of results) {
    statuses.set(row.provider, {
      provider: row.provider,
      available: row.available === 1,
      reason: row.reason,
      discovered: row.models ? (JSON.parse(row.models) as string[]) : null,
      checkedAt: row.checked_at,
      downBy: row.down_by === 'probe' || row.down_by === 'generation' ? row.down_by : null,
    });
  }
  const due = [...registry.providers.values()].filter((p) => {
    const known = statuses.get(p.id);
    if (!known) return true;
    // A refresh asks again, but not more often than REFRESH_MIN_MS per provider, whoever asks.
    return options.refresh ? now - known.checkedAt >= REFRESH_MIN_MS : !fresh(known, now);
  });
  // Only the caller that claims a probe makes it; concurrent ones (any isolate, any tenant) keep the last answer.
  const claimed = await Promise.all(due.map((p) => claimProbe(db, p.id, statuses.get(p.id), now)));
  const stale = due.filter((_, i) => claimed[i]);
  if (stale.length > 0) {
    const probed = await Promise.all(stale.map((p) => probe(p, now)));
    const upsert = db.prepare(
      `INSERT INTO provider_status (provider, available, reason, models, checked_at, down_by) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (provider) DO UPDATE SET available = excluded.available, reason = excluded.reason,
         models = excluded.models, checked_at = excluded.checked_at, down_by = excluded.down_by`,
    );
    await db.batch(
      probed.map((s) =>
        upsert.bind(
          s.provider,
          s.available ? 1 : 0,
          s.reason,
          s.discovered ? JSON.stringify(s.discovered) : null,
          s.checkedAt,
          s.downBy ?? null,
        ),
      ),
    );
    for (const s of probed) statuses.set(s.provider, s);
  }
  memory.set(db, { at: now, statuses });
  return statuses;
}
