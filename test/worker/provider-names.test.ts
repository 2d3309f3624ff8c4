/**
 * Provider names as users of other servers spell them (the Python server's `sd_webui`, any case, `-` or `_`),
 * and DEFAULT_PROVIDER: what `provider` means when a call leaves it out, checked when the configuration loads.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { planJobs } from '../../src/jobs/submit';
import { canonicalProviderId } from '../../src/providers/ids';
import { createRegistry } from '../../src/providers/registry';
import { applyStyle, type Style, type Styleable } from '../../src/styles/model';
import { callTool, textOf } from '../helpers/mcp';

const registry = createRegistry({
  placeholderDelayMs: 0,
  providers: { workersAi: false, sdWebui: { url: 'http://sd.invalid', timeoutMs: 1000 } },
});
const plan = (provider: string | undefined, defaultProvider = 'auto', prompt = 'a lighthouse') =>
  planJobs(
    'alice',
    { prompt, provider, count: 1 },
    { registry, statuses: async () => new Map(), paidProviders: [], defaultProvider },
  );

describe('provider names', () => {
  it('match case-insensitively with - and _ alike, and by the names other servers use', () => {
    for (const name of ['sd_webui', 'SD-WebUI', 'Sd_WebUI', ' sd webui ', 'automatic1111', 'A1111'])
      expect(canonicalProviderId(name), name).toBe('sd-webui');
    for (const name of ['workers_ai', 'Workers-AI', 'WORKERS AI', 'cloudflare'])
      expect(canonicalProviderId(name), name).toBe('workers-ai');
    expect(canonicalProviderId('OpenAI')).toBe('openai');
    expect(canonicalProviderId('AUTO')).toBe('auto');
    expect(canonicalProviderId('Mid_Journey')).toBe('mid-journey');
  });

  it('route a job to the provider however it is spelled, and record the canonical id', async () => {
    for (const name of ['sd_webui', 'SD-WebUI']) {
      const [job] = await plan(name);
      expect(job).toMatchObject({ provider: 'sd-webui', requested_provider: 'sd-webui' });
    }
    await expect(plan('mid_journey')).rejects.toThrow(
      /Unknown or unconfigured provider "mid_journey". Available: auto, sd-webui, placeholder/,
    );
  });

  it('work through the tools: generate_image_and_wait with provider "sd_webui" reaches SD WebUI', async () => {
    const result = await callTool('generate_image_and_wait', {
      prompt: 'a red fox, watercolour',
      provider: 'sd_webui',
      width: 512,
      height: 512,
    });
    expect(result.isError, textOf(result)).toBeFalsy();
    const jobs = (result.structuredContent as { jobs: Array<{ provider: string; status: string }> }).jobs;
    expect(jobs[0]).toMatchObject({ provider: 'sd-webui', status: 'completed' });
  });
});

describe('DEFAULT_PROVIDER', () => {
  const base = { AUTH_TOKEN: 'single-token-0123456789' };

  it('is auto when unset, and reads any spelling of a configured provider', () => {
    expect(loadConfig({ ...base }).defaultProvider).toBe('auto');
    expect(loadConfig({ ...base, DEFAULT_PROVIDER: 'Placeholder' }).defaultProvider).toBe('placeholder');
    expect(
      loadConfig({ ...base, DEFAULT_PROVIDER: 'sd_webui', SD_WEBUI_URL: 'http://127.0.0.1:7860' }).defaultProvider,
    ).toBe('sd-webui');
  });

  it('refuses, with what to set, a provider that is unknown or not configured here', () => {
    expect(() => loadConfig({ ...base, DEFAULT_PROVIDER: 'midjourney' })).toThrow(
      /DEFAULT_PROVIDER: "midjourney" is not a provider; use auto or one of workers-ai, openai, gemini, sd-webui, placeholder/,
    );
    expect(() => loadConfig({ ...base, DEFAULT_PROVIDER: 'sd_webui' })).toThrow(
      /DEFAULT_PROVIDER: sd-webui is not configured on this server; it needs SD_WEBUI_URL/,
    );
    expect(() => loadConfig({ ...base, DEFAULT_PROVIDER: 'openai' })).toThrow(/it needs OPENAI_API_KEY/);
    expect(() => loadConfig({ ...base, DEFAULT_PROVIDER: 'workers-ai', WORKERS_AI: 'off', AI: env.AI })).toThrow(
      /it needs the AI binding/,
    );
    expect(loadConfig({ ...base, DEFAULT_PROVIDER: 'workers_ai', AI: env.AI }).defaultProvider).toBe('workers-ai');
  });

  it('is used when a call names no provider; an explicit provider or "auto" overrides it', async () => {
    // A photo prompt: auto routing would pick SD WebUI here; the default sends it to the placeholder.
    const prompt = 'a realistic photo of a harbour';
    expect((await plan(undefined, 'placeholder', prompt))[0]).toMatchObject({
      provider: 'placeholder',
      requested_provider: 'placeholder',
    });
    expect((await plan('auto', 'placeholder', prompt))[0]).toMatchObject({ provider: 'sd-webui' });
    expect((await plan('sd_webui', 'placeholder', prompt))[0]).toMatchObject({ provider: 'sd-webui' });
    expect((await plan(undefined, 'auto', prompt))[0]).toMatchObject({ provider: 'sd-webui' });
  });

  it('gives way to a style’s provider when the call names none', () => {
    const style = { template: '{prompt}', provider: 'sd-webui', model: null } as unknown as Style;
    expect(applyStyle<Styleable>({ prompt: 'x' }, style).provider).toBe('sd-webui');
    expect(applyStyle({ prompt: 'x', provider: 'AUTO' }, style).provider).toBe('sd-webui');
    expect(applyStyle({ prompt: 'x', provider: 'placeholder' }, style).provider).toBe('placeholder');
  });
});
