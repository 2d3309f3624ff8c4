/** list_providers and routing through the real Worker, where Workers AI cannot run (local mode). */
import { describe, expect, it } from 'vitest';
import { MAX_DECODE_PIXELS } from '../../src/images/decode';
import { findGeminiModel } from '../../src/providers/gemini-models';
import { largestSize, planRequest } from '../../src/providers/plan';
import { callTool } from '../helpers/mcp';

interface Listing {
  providers: Array<{
    id: string;
    available: boolean;
    reason: string | null;
    models: Array<{ id: string; lifecycle: string; style: object; capabilities: object }>;
  }>;
  warnings: string[];
}

describe('list_providers', () => {
  it('lists every configured provider with availability, capabilities and style per model', async () => {
    const { structured } = await callTool<Listing>('list_providers', { refresh: true });
    const byId = new Map(structured.providers.map((p) => [p.id, p]));
    expect(byId.get('placeholder')).toMatchObject({ available: true });
    const workersAi = byId.get('workers-ai')!;
    expect(workersAi.available).toBe(false);
    expect(workersAi.reason).toMatch(/local mode/);
    expect(workersAi.models.map((m) => m.id)).toContain('@cf/black-forest-labs/flux-1-schnell');
    for (const model of workersAi.models) {
      expect(model.capabilities).toHaveProperty('sizes');
      expect(model.style).toHaveProperty('prompt_grammar');
    }
    expect(Array.isArray(structured.warnings)).toBe(true);
  });

  it('names the models that can make images over the decode bound, and what then happens', async () => {
    const { structured } = await callTool<Listing>('list_providers');
    const large = structured.warnings.find((w) => w.startsWith(`Images over ${MAX_DECODE_PIXELS} pixels`));
    expect(large).toMatch(/gemini\/gemini-3-pro-image \(4K \d+:\d+\)/);
    expect(large).toMatch(/come from a copy that Cloudflare Images scales down to \d+ pixels\.$/);
    // OpenAI's sizes are all under 2 Mpx.
    expect(large).not.toMatch(/openai\//);
    const gemini = structured.providers.find((p) => p.id === 'gemini')!;
    const pro = gemini.models.find((m) => m.id === 'gemini-3-pro-image')!;
    expect(largestSize(findGeminiModel(pro.id)!.capabilities.sizes).pixels).toBeGreaterThan(MAX_DECODE_PIXELS);
    // The planner says it of a job that asks for such a size.
    const plan = planRequest(findGeminiModel('gemini-3-pro-image')!, { prompt: 'x', width: 6300, height: 2700 });
    expect(plan.adaptations.at(-1)).toMatch(/is over the \d+ pixels this server decodes: the image is kept as made/);
  });

  it('routes around an unavailable provider and records which ran and why', async () => {
    const result = await callTool<{
      jobs: Array<{ provider: string; model: string; route_reason: string; adaptations: string[] }>;
    }>('generate_image_and_wait', { prompt: 'a quiet lake', model: undefined });
    const [job] = result.structured.jobs;
    expect(job?.provider).not.toBe('workers-ai');
    expect(job?.route_reason).toMatch(/^auto: .*skipped: workers-ai is unavailable/);
  });

  it('refuses an unavailable provider asked for by name, with the reason', async () => {
    const result = await callTool('generate_image', { prompt: 'x', provider: 'workers-ai' });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toMatch(/workers-ai is unavailable .*local mode/);
  });
});
