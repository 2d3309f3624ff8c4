/**
 * What a subject has made and roughly spent, read from the job rows (nothing is written for it): finished images
 * and their estimated cost (each job's cost_usd, from the model catalogue at submission) per provider and model,
 * for the current UTC day and the last 30 days, and what is left of the daily quota (image_usage, which counts
 * images when requested). Deleted images, and images past IMAGE_RETENTION_DAYS, leave the figures with their rows.
 */
import { DAY_MS, dayOf, dayStart, nextDayStart } from './quota';
export const USAGE_WINDOW_DAYS = 30;

export interface UsageTotals {
  images: number;
  cost_usd: number;
}

export interface ModelUsage {
  provider: string;
  model: string;
  today: UsageTotals;
  last_30_days: UsageTotals;
}

export interface QuotaLeft {
  limit: number;
  used: number;
  remaining: number;
  resets_at: string;
}

export interface Usage {
  today: UsageTotals;
  last_30_days: UsageTotals;
  by_model: ModelUsage[];
  /** Absent when the server keeps no daily quota. */
  quota?: QuotaLeft;
}

interface Row {
  provider: string | null;
  model: string | null;
  images_today: number;
  cost_today: number;
  images: number;
  cost: number;
}

/** Cents are as precise as a catalogue estimate gets; floating sums should not show more. */
const money = (usd: number) => Math.round(usd * 10_000) / 10_000;

export async function usageOf(db: D1Database, subject: string, dailyQuota: number, now: number): Promise<Usage> {
  const todayStart = dayStart(now);
  const since = todayStart - (USAGE_WINDOW_DAYS - 1) * DAY_MS;
  // One pass over the subject's finished jobs of the window (index jobs_by_subject_status), grouped in SQLite.
  const grouped = db
    .prepare(
      `SELECT provider, model,
              SUM(created_at >= ?3) AS images_today,
              TOTAL(CASE WHEN created_at >= ?3 THEN cost_usd END) AS cost_today,
              COUNT(*) AS images,
              TOTAL(cost_usd) AS cost
         FROM jobs
        WHERE subject = ?1 AND status = 'completed' AND created_at >= ?2
        GROUP BY provider, model
        ORDER BY images DESC, provider, model`,
    )
    .bind(subject, since, todayStart);
  const used = db.prepare('SELECT images FROM image_usage WHERE subject = ? AND day = ?').bind(subject, dayOf(now));
  const [rows, quotaRow] = await db.batch<Row | { images: number }>(dailyQuota > 0 ? [grouped, used] : [grouped]);
  const byModel = ((rows?.results ?? []) as Row[]).map((row) => ({
    provider: row.provider ?? 'unknown',
    model: row.model ?? 'unknown',
    today: { images: row.images_today, cost_usd: money(row.cost_today) },
    last_30_days: { images: row.images, cost_usd: money(row.cost) },
  }));
  const sum = (pick: (m: ModelUsage) => UsageTotals): UsageTotals => ({
    images: byModel.reduce((n, m) => n + pick(m).images, 0),
    cost_usd: money(byModel.reduce((n, m) => n + pick(m).cost_usd, 0)),
  });
  const usage: Usage = { today: sum((m) => m.today), last_30_days: sum((m) => m.last_30_days), by_model: byModel };
  if (dailyQuota > 0) {
    const usedToday = ((quotaRow?.results?.[0] as { images: number } | undefined)?.images ?? 0) as number;
    usage.quota = {
      limit: dailyQuota,
      used: usedToday,
      remaining: Math.max(0, dailyQuota - usedToday),
      resets_at: new Date(nextDayStart(now)).toISOString(),
    };
  }
  return usage;
}

/** An estimate in dollars for texts: "~$0.15". */
export const approxUsd = (usd: number) => `~$${usd.toFixed(2)}`;

/** One line for texts: "today 3 images (~$0.15), last 30 days 41 images (~$1.23); quota 7 of 50 left". */
export function usageLine(usage: Usage): string {
  const part = (label: string, t: UsageTotals) =>
    `${label} ${t.images} image${t.images === 1 ? '' : 's'}${t.cost_usd > 0 ? ` (${approxUsd(t.cost_usd)})` : ''}`;
  const quota = usage.quota ? `; daily quota ${usage.quota.remaining} of ${usage.quota.limit} left` : '';
  return `${part('today', usage.today)}, ${part(`last ${USAGE_WINDOW_DAYS} days`, usage.last_30_days)}${quota}`;
}
