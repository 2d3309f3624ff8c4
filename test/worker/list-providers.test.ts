/** list_providers and routing through the real Worker, where Workers AI cannot run (local mode). */
import { describe, expect, it } from 'vitest';
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
