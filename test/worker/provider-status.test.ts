/** Discovery cache: providers are asked once, the answer is shared through D1, and refresh asks again. */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { PlaceholderProvider } from '../../src/providers/placeholder';
import { providerStatuses } from '../../src/providers/status';
import type { ImageProvider } from '../../src/providers/types';

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
    expect(first.get('down-provider')).toMatchObject({ available: false, reason: 'connection refused' });

    await providerStatuses(env.DB, registry, { now: now + 1000 });
    expect([up.calls(), down.calls()]).toEqual([1, 1]);

    const row = await env.DB.prepare('SELECT available, models FROM provider_status WHERE provider = ?')
      .bind('up-provider')
      .first();
    expect(row).toEqual({ available: 1, models: '["model-a","model-b"]' });

    // Past the short retry interval for a provider that was down, only that one is asked again.
    await providerStatuses(env.DB, registry, { now: now + 2 * 60_000 });
    expect([up.calls(), down.calls()]).toEqual([1, 2]);

    await providerStatuses(env.DB, registry, { refresh: true, now: now + 2 * 60_000 + 1 });
    expect([up.calls(), down.calls()]).toEqual([2, 3]);
  });
});
