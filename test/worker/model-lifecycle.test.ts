/**
 * Model lifecycles with dates: a retired name (OpenAI's, Google's, the Python server's) runs on its documented
 * replacement with the substitution recorded and said; a model turns retired on its shutdown day with no code
 * change; list_providers lists retired names and warns of shutdowns within 60 days.
 */
import { describe, expect, it } from 'vitest';
import { GEMINI_MODELS } from '../../src/providers/gemini-models';
import { daysUntilShutdown, isRetired, lifecycleAt, resolveRetired } from '../../src/providers/lifecycle';
import { OPENAI_MODELS } from '../../src/providers/openai-models';
import { type Candidate, route } from '../../src/providers/routing';
import { lifecycleWarning } from '../../src/tools/list-providers';
import { callTool, textOf } from '../helpers/mcp';

const candidates: Candidate[] = [
  { id: 'openai', catalogue: OPENAI_MODELS, defaultModel: 'gpt-image-2.6-sunburst', available: true },
  { id: 'gemini', catalogue: GEMINI_MODELS, defaultModel: 'gemini-nano-banana-2.1', available: true },
];
const at = (iso: string) => Date.parse(iso);
const request = (model: string | undefined, now: number, provider = 'auto') => ({
  provider,
  model,
  prompt: 'a lighthouse at dusk',
  wantsNegativePrompt: false,
  allowPaid: false,
  paidProviders: [],
  now,
});
const byId = (id: string) => [...OPENAI_MODELS, ...GEMINI_MODELS].find((m) => m.id === id)!;

describe('model lifecycle', () => {
  it('turns a model retired on its shutdown day (UTC), with no code change', () => {
    const model = byId('gpt-image-1.5');
    expect(lifecycleAt(model, at('2026-11-30T23:59:59Z'))).toBe('deprecated');
    expect(daysUntilShutdown(model, at('2026-11-30T12:00:00Z'))).toBe(1);
    expect(lifecycleAt(model, at('2026-12-01T00:00:00Z'))).toBe('retired');
    expect(daysUntilShutdown(model, at('2026-12-01T00:00:00Z'))).toBeNull();
    // Until then it runs as itself when named; from then on, on its replacement.
    expect(route(request('gpt-image-1.5', at('2026-11-30T20:00:00Z')), candidates)).toMatchObject({
      model: { id: 'gpt-image-1.5' },
      substitution: undefined,
    });
    expect(route(request('gpt-image-1.5', at('2026-12-01T08:00:00Z')), candidates)).toMatchObject({
      model: { id: 'gpt-image-2.6-sunburst' },
      substitution: 'gpt-image-1.5 was retired on 2026-12-01; used gpt-image-2.6-sunburst',
    });
    expect(route(request('gpt-image-1-mini', at('2026-12-02T00:00:00Z'), 'openai'), candidates)).toMatchObject({
      model: { id: 'gpt-image-2.6-flare' },
    });
  });

  it('maps the names people still use to their documented replacements', () => {
    const now = at('2026-11-30T12:00:00Z');
    const cases: Array<[string, string, string]> = [
      ['dall-e-3', 'gpt-image-2.6-sunburst', 'dall-e-3 was retired on 2026-05-12; used gpt-image-2.6-sunburst'],
      ['dall-e-2', 'gpt-image-2.6-flare', 'dall-e-2 was retired on 2026-05-12; used gpt-image-2.6-flare'],
      ['gpt-image-1', 'gpt-image-2.5-sunburst', 'gpt-image-1 was retired on 2026-10-23; used gpt-image-2.5-sunburst'],
      [
        'gemini-3-pro-image-preview',
        'gemini-3-pro-image',
        'gemini-3-pro-image-preview was retired on 2026-06-25; used gemini-3-pro-image',
      ],
      [
        'gemini-2.5-flash-image-preview',
        'gemini-2.5-flash-image',
        'gemini-2.5-flash-image-preview was retired on 2026-01-15; used gemini-2.5-flash-image',
      ],
      // Imagen 3 → Imagen 4, itself shut down since: followed to what replaces that.
      [
        'imagen-3.0-generate-002',
        'gemini-nano-banana-2.1',
        'imagen-3.0-generate-002 was retired on 2025-11-10; used gemini-nano-banana-2.1',
      ],
      [
        'imagen-4.0-ultra-generate-001',
        'gemini-3-pro-image',
        'imagen-4.0-ultra-generate-001 was retired on 2026-08-17; used gemini-3-pro-image',
      ],
    ];
    for (const [name, replacement, note] of cases) {
      expect(route(request(name, now), candidates), name).toMatchObject({
        model: { id: replacement },
        substitution: note,
      });
    }
    // Every retired entry's replacement exists and is not retired at the end of its chain.
    for (const model of [...OPENAI_MODELS, ...GEMINI_MODELS].filter((m) => isRetired(m, now))) {
      const catalogue = OPENAI_MODELS.includes(model) ? OPENAI_MODELS : GEMINI_MODELS;
      expect(isRetired(resolveRetired(catalogue, model, now).model, now), model.id).toBe(false);
    }
  });

  it('never routes a call that names no model to a deprecated or retired one', () => {
    for (const now of [at('2026-11-30T12:00:00Z'), at('2027-06-01T00:00:00Z')]) {
      for (const provider of ['openai', 'gemini']) {
        const chosen = route(request(undefined, now, provider), candidates);
        expect(['current', 'legacy']).toContain(lifecycleAt(chosen.model, now));
        expect(chosen.substitution).toBeUndefined();
      }
    }
  });

  it('warns of every shutdown within 60 days, and of deprecated models without a date', () => {
    const now = at('2026-11-30T12:00:00Z');
    expect(lifecycleWarning('openai', byId('gpt-image-1.5'), now)).toBe(
      'openai/gpt-image-1.5 shuts down on 2026-12-01 (in 1 day); use gpt-image-2.6-sunburst.',
    );
    expect(lifecycleWarning('openai', byId('gpt-image-1-mini'), at('2026-10-02T12:00:00Z'))).toBe(
      'openai/gpt-image-1-mini shuts down on 2026-12-01 (in 60 days); use gpt-image-2.6-flare.',
    );
    // 61 days ahead: outside the window, so only its deprecation is said.
    expect(lifecycleWarning('openai', byId('gpt-image-1-mini'), at('2026-10-01T12:00:00Z'))).toBe(
      'openai/gpt-image-1-mini is deprecated; use gpt-image-2.6-flare.',
    );
    expect(lifecycleWarning('gemini', byId('gemini-3.1-flash-image'), now)).toBe(
      'gemini/gemini-3.1-flash-image is deprecated; use gemini-nano-banana-2.1.',
    );
    expect(lifecycleWarning('openai', byId('gpt-image-2.6-sunburst'), now)).toBeNull();
    expect(lifecycleWarning('openai', byId('dall-e-3'), now)).toBeNull();
  });

  it('runs a retired name end to end on its replacement, recording and saying the substitution', async () => {
    // The fake OpenAI API answers 404 for dall-e-3, as the real one does since its shutdown.
    const result = await callTool<{ jobs: Array<{ model: string; status: string; adaptations: string[] }> }>(
      'generate_image_and_wait',
      { prompt: 'a red kite over the sea', model: 'dall-e-3' },
    );
    expect(result.isError, textOf(result)).toBeFalsy();
    const [job] = result.structured.jobs;
    expect(job).toMatchObject({ model: 'gpt-image-2.6-sunburst', status: 'completed' });
    expect(job?.adaptations[0]).toBe('dall-e-3 was retired on 2026-05-12; used gpt-image-2.6-sunburst');
    expect(textOf(result)).toContain('dall-e-3 was retired on 2026-05-12; used gpt-image-2.6-sunburst');

    const queued = await callTool('generate_image', { prompt: 'a kite', model: 'gpt-image-1' });
    expect(textOf(queued)).toContain('Note: gpt-image-1 was retired on 2026-10-23; used gpt-image-2.5-sunburst.');
  });

  it('lists retired names with their date and replacement, and nothing a call could not use', async () => {
    const listed = await callTool<{ providers: Array<{ id: string; models: Array<Record<string, unknown>> }> }>(
      'list_providers',
    );
    expect(listed.isError, textOf(listed)).toBeFalsy();
    const openai = listed.structured.providers.find((p) => p.id === 'openai')!;
    expect(openai.models.find((m) => m.id === 'dall-e-3')).toEqual({
      id: 'dall-e-3',
      label: 'DALL·E 3',
      aliases: [],
      lifecycle: 'retired',
      shutdown: '2026-05-12',
      replacement: 'gpt-image-2.6-sunburst',
    });
    expect(openai.models.find((m) => m.id === 'gpt-image-2.6-sunburst')).toHaveProperty('capabilities');
    expect(textOf(listed)).toContain('retired names run on: ');
  });
});
