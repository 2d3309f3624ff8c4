/**
 * Discovery cache: providers are asked once, the answer is shared through D1, and refresh asks again. Discovery
 * bends: only an auth failure (or a binding that cannot run here) marks a provider down; other failures keep the
 * static catalogue in use. Generations mark a provider down when it is at fault, and up again on success.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { PlaceholderProvider } from '../../src/providers/placeholder';
import { route } from '../../src/providers/routing';
import { providerStatuses, recordGeneration } from '../../src/providers/status';
import { type ImageProvider, ProviderError } from '../../src/providers/types';

const PLACEHOLDER = new PlaceholderProvider();

function probed(id: string, answer: () => Promise<string[]>) {
  let calls = 0;
  const provider: ImageProvider = {
    ...new PlaceholderProvider(),
    id,
    generate: new PlaceholderProvider().generate,
    discover: () => {
      calls++;
      return answer();
    },
  };
  return { provider, calls: () => calls };
}

describe('provider status cache', () => {
  it('probes each provider once, records failures with their reason, and refreshes on request', async () => {
    const up = probed('up-provider', async () => ['model-a', 'model-b']);
    const down = probed('down-provider', async () => {
      throw new Error('connection refused');
    });
    const registry = { providers: new Map([up, down].map((p) => [p.provider.id, p.provider])) };
    const now = Date.now();

    const first = await providerStatuses(env.DB, registry, { now });
    expect(first.get('up-provider')).toMatchObject({ available: true, discovered: ['model-a', 'model-b'] });
    // A list that cannot be fetched is not an outage: the provider stays usable on its built-in catalogue.
    expect(first.get('down-provider')).toMatchObject({
      available: true,
      discovered: null,
      reason: 'model list unavailable, using the built-in catalogue: connection refused',
    });

    await providerStatuses(env.DB, registry, { now: now + 1000 });
    expect([up.calls(), down.calls()]).toEqual([1, 1]);

    const row = await env.DB.prepare('SELECT available, models FROM provider_status WHERE provider = ?')
      .bind('up-provider')
      .first();
    expect(row).toEqual({ available: 1, models: '["model-a","model-b"]' });

    await providerStatuses(env.DB, registry, { refresh: true, now: now + 2 * 60_000 + 1 });
    expect([up.calls(), down.calls()]).toEqual([2, 2]);
  });

  it('lets no caller make a provider API busy: concurrent refreshes probe once, and again only after 30 s', async () => {
    const counted = probed('refresh-throttled', async () => ['m']);
    const registry = { providers: new Map([[counted.provider.id, counted.provider]]) };
    const now = Date.now();
    await providerStatuses(env.DB, registry, { now });
    expect(counted.calls()).toBe(1);
    // A batch of refreshes, as one tenant could send: one probe between them.
    await Promise.all(
      Array.from({ length: 20 }, () => providerStatuses(env.DB, registry, { refresh: true, now: now + 31_000 })),
    );
    expect(counted.calls()).toBe(2);
    await providerStatuses(env.DB, registry, { refresh: true, now: now + 40_000 });
    expect(counted.calls()).toBe(2);
    await providerStatuses(env.DB, registry, { refresh: true, now: now + 62_000 });
    expect(counted.calls()).toBe(3);
  });

  it('marks down a provider whose credentials are refused, or that cannot run here, and asks it again sooner', async () => {
    const refused = probed('refused-provider', async () => {
      throw new ProviderError('OpenAI refused the API key (HTTP 401)', false, 'auth_failed');
    });
    const local = probed('local-provider', async () => {
      throw new ProviderError('Workers AI is not available in local mode', false, 'provider_unusable');
    });
    const registry = { providers: new Map([refused, local].map((p) => [p.provider.id, p.provider])) };
    const now = Date.now();
    const statuses = await providerStatuses(env.DB, registry, { now });
    expect(statuses.get('refused-provider')).toMatchObject({
      available: false,
      reason: 'OpenAI refused the API key (HTTP 401)',
    });
    expect(statuses.get('local-provider')).toMatchObject({ available: false });
    // Past the short retry interval for a provider that was down, it is asked again.
    await providerStatuses(env.DB, registry, { now: now + 2 * 60_000 });
    expect([refused.calls(), local.calls()]).toEqual([2, 2]);
  });

  it('takes a failed generation as the word that a provider is down, and the next success as that it is up', async () => {
    const flaky = probed('flaky-provider', async () => ['m']);
    const registry = { providers: new Map([[flaky.provider.id, flaky.provider]]) };
    const now = Date.now();
    expect((await providerStatuses(env.DB, registry, { now })).get('flaky-provider')?.available).toBe(true);

    // A request the provider refused says nothing about the provider.
    await recordGeneration(env.DB, 'flaky-provider', now + 1, { code: 'provider_rejected', message: 'bad prompt' });
    expect((await providerStatuses(env.DB, registry, { now: now + 2 })).get('flaky-provider')?.available).toBe(true);

    await recordGeneration(env.DB, 'flaky-provider', now + 3, {
      code: 'provider_unreachable',
      message: 'Could not reach Flaky: connection reset',
    });
    expect((await providerStatuses(env.DB, registry, { now: now + 4 })).get('flaky-provider')).toMatchObject({
      available: false,
      reason: 'generation failed: Could not reach Flaky: connection reset',
      downBy: 'generation',
    });
    // auto routes around it; a call that names it is still tried (a success would clear the mark).
    const candidate = {
      id: 'flaky-provider',
      catalogue: PLACEHOLDER.catalogue,
      defaultModel: 'placeholder',
      available: false,
      attemptable: true,
    };
    const ask = { prompt: 'x', wantsNegativePrompt: false, allowPaid: false, paidProviders: [] };
    expect(route({ ...ask, provider: 'flaky-provider' }, [candidate]).providerId).toBe('flaky-provider');
    expect(() => route({ ...ask, provider: 'flaky-provider' }, [{ ...candidate, attemptable: false }])).toThrow(
      /flaky-provider is unavailable/,
    );
    await recordGeneration(env.DB, 'flaky-provider', now + 5);
    expect((await providerStatuses(env.DB, registry, { now: now + 6 })).get('flaky-provider')).toMatchObject({
      available: true,
      reason: null,
    });
    // Neither mark asked the provider's API again.
    expect(flaky.calls()).toBe(1);
  });
});
