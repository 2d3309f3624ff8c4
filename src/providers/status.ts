/**
 * Provider availability and discovered model lists, cached in D1 so every isolate shares one answer and
 * provider APIs are asked at most every few minutes (down providers are asked again sooner). When a
 * provider's API cannot be reached its static catalogue still describes it, marked unavailable.
 */
import { describeError } from '../errors';
import type { ProviderRegistry } from './registry';
import type { ImageProvider } from './types';

export interface ProviderStatus {
  provider: string;
  available: boolean;
  reason: string | null;
  /** Model ids the provider's API listed; null where it has no list or was not reached. */
  discovered: string[] | null;
  checkedAt: number;
}

const UP_TTL_MS = 10 * 60_000;
const DOWN_TTL_MS = 60_000;
const PROBE_TIMEOUT_MS = 5000;

interface Row {
  provider: string;
  available: number;
  reason: string | null;
  models: string | null;
  checked_at: number;
}

const memory = new WeakMap<D1Database, { at: number; statuses: Map<string, ProviderStatus> }>();
const MEMORY_MS = 30_000;

function fresh(status: ProviderStatus, now: number): boolean {
  return now - status.checkedAt < (status.available ? UP_TTL_MS : DOWN_TTL_MS);
}

async function probe(provider: ImageProvider, now: number): Promise<ProviderStatus> {
  if (!provider.discover)
    return { provider: provider.id, available: true, reason: null, discovered: null, checkedAt: now };
  try {
    const discovered = await provider.discover(AbortSignal.timeout(PROBE_TIMEOUT_MS));
    return { provider: provider.id, available: true, reason: null, discovered, checkedAt: now };
  } catch (error) {
    return {
      provider: provider.id,
      available: false,
      reason: describeError(error).slice(0, 300),
      discovered: null,
      checkedAt: now,
    };
  }
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
    });
  }
  const stale = [...registry.providers.values()].filter((p) => {
    const known = statuses.get(p.id);
    return options.refresh || !known || !fresh(known, now);
  });
  if (stale.length > 0) {
    const probed = await Promise.all(stale.map((p) => probe(p, now)));
    const upsert = db.prepare(
      `INSERT INTO provider_status (provider, available, reason, models, checked_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (provider) DO UPDATE SET available = excluded.available, reason = excluded.reason,
         models = excluded.models, checked_at = excluded.checked_at`,
    );
    await db.batch(
      probed.map((s) =>
        upsert.bind(
          s.provider,
          s.available ? 1 : 0,
          s.reason,
          s.discovered ? JSON.stringify(s.discovered) : null,
          s.checkedAt,
        ),
      ),
    );
    for (const s of probed) statuses.set(s.provider, s);
  }
  memory.set(db, { at: now, statuses });
  return statuses;
}
