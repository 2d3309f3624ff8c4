/**
 * get_usage and get_server_info's usage line: a subject's finished images and estimated spend per provider and
 * model, today (UTC) and over 30 days, from the job rows alone, and what is left of the daily quota.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { reserveImages } from '../../src/jobs/quota';
import { usageLine, usageOf } from '../../src/jobs/usage';
import { insertJob } from '../helpers/jobs';
import { callTool, textOf } from '../helpers/mcp';

const DAY = 24 * 3600 * 1000;

/** A job row of `subject` with the given outcome and age. */
async function job(
  subject: string,
  fields: { provider: string; model: string; cost?: number; at: number; status?: string },
) {
  const row = await insertJob({
    subject,
    provider: fields.provider,
    model: fields.model,
    cost_usd: fields.cost ?? null,
  });
  await env.DB.prepare('UPDATE jobs SET status = ?, created_at = ? WHERE id = ?')
    .bind(fields.status ?? 'completed', fields.at, row.id)
    .run();
}

describe('usage', () => {
  it('counts finished images and their estimated cost per provider and model, today and over 30 days', async () => {
    const subject = `usage-${crypto.randomUUID().slice(0, 8)}`;
    const now = Date.UTC(2026, 10, 30, 15, 0, 0);
    const midnight = Date.UTC(2026, 10, 30);
    await job(subject, { provider: 'openai', model: 'gpt-image-2.6-flare', cost: 0.05, at: now - 1000 });
    await job(subject, { provider: 'openai', model: 'gpt-image-2.6-flare', cost: 0.05, at: midnight + 1 });
    // Yesterday, late: in the 30 days, not today.
    await job(subject, { provider: 'openai', model: 'gpt-image-2.6-flare', cost: 0.05, at: midnight - 1 });
    await job(subject, { provider: 'gemini', model: 'gemini-3-pro-image', cost: 0.134, at: now - 10 * DAY });
    await job(subject, { provider: 'placeholder', model: 'placeholder', cost: 0, at: now - 29 * DAY });
    // Left out: older than the window, failed, still running, and another subject's.
    await job(subject, { provider: 'gemini', model: 'gemini-3-pro-image', cost: 0.134, at: now - 31 * DAY });
    await job(subject, { provider: 'openai', model: 'gpt-image-2.6-flare', cost: 0.05, at: now, status: 'failed' });
    await job(subject, { provider: 'openai', model: 'gpt-image-2.6-flare', cost: 0.05, at: now, status: 'processing' });
    await job(`${subject}-other`, { provider: 'openai', model: 'gpt-image-2.6-flare', cost: 0.05, at: now });

    const usage = await usageOf(env.DB, subject, 0, now);
    expect(usage).toEqual({
      today: { images: 2, cost_usd: 0.1 },
      last_30_days: { images: 5, cost_usd: 0.284 },
      by_model: [
        {
          provider: 'openai',
          model: 'gpt-image-2.6-flare',
          today: { images: 2, cost_usd: 0.1 },
          last_30_days: { images: 3, cost_usd: 0.15 },
        },
        {
          provider: 'gemini',
          model: 'gemini-3-pro-image',
          today: { images: 0, cost_usd: 0 },
          last_30_days: { images: 1, cost_usd: 0.134 },
        },
        {
          provider: 'placeholder',
          model: 'placeholder',
          today: { images: 0, cost_usd: 0 },
          last_30_days: { images: 1, cost_usd: 0 },
        },
      ],
    });
    expect(usageLine(usage)).toBe('today 2 images (~$0.10), last 30 days 5 images (~$0.28)');
  });

  it('says what is left of the daily quota, counted when images are requested', async () => {
    const subject = `quota-${crypto.randomUUID().slice(0, 8)}`;
    const now = Date.UTC(2026, 10, 30, 23, 0, 0);
    await reserveImages(env.DB, subject, 7, 50, now);
    const usage = await usageOf(env.DB, subject, 50, now);
    expect(usage.quota).toEqual({ limit: 50, used: 7, remaining: 43, resets_at: '2026-12-01T00:00:00.000Z' });
    expect(usage.today.images).toBe(0);
    expect(usageLine(usage)).toBe('today 0 images, last 30 days 0 images; daily quota 43 of 50 left');
    expect((await usageOf(env.DB, subject, 0, now)).quota).toBeUndefined();
  });

  it('is what get_usage returns for the caller, and a line of get_server_info', async () => {
    await callTool('generate_image_and_wait', { prompt: 'counted', provider: 'placeholder', width: 64, height: 64 });
    const result = await callTool<Awaited<ReturnType<typeof usageOf>>>('get_usage');
    expect(result.isError, textOf(result)).toBeFalsy();
    const expected = await usageOf(env.DB, 'alice', 0, Date.now());
    expect(result.structured).toEqual(expected);
    expect(result.structured.today.images).toBeGreaterThanOrEqual(1);
    expect(result.structured.by_model).toContainEqual(expect.objectContaining({ provider: 'placeholder' }));
    expect(textOf(result)).toContain(`Usage: ${usageLine(expected)}.`);

    const info = await callTool('get_server_info');
    expect(textOf(info)).toContain(`Your usage (get_usage): ${usageLine(expected)}.`);
    expect(textOf(info)).toContain('a call that names none uses auto.');
  });
});
