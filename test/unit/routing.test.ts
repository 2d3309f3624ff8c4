/** Choosing provider and model: intents, availability, capability, paid opt-in, and the recorded reason. */
import { describe, expect, it } from 'vitest';
import { PLACEHOLDER_MODEL } from '../../src/providers/placeholder';
import { type Candidate, PaidProviderError, route } from '../../src/providers/routing';
import type { ModelInfo } from '../../src/providers/types';

function model(id: string, negativePrompt = false, lifecycle: ModelInfo['lifecycle'] = 'current'): ModelInfo {
  return { ...PLACEHOLDER_MODEL, id, lifecycle, capabilities: { ...PLACEHOLDER_MODEL.capabilities, negativePrompt } };
}

function candidate(id: string, models: ModelInfo[], available = true): Candidate {
  return { id, catalogue: models, defaultModel: models[0]!.id, available, ...(!available && { reason: 'down' }) };
}

const all = [
  candidate('openai', [model('gpt-image-1.5'), model('dall-e-3', false, 'deprecated')]),
  candidate('gemini', [model('gemini-2.5-flash-image')]),
  candidate('workers-ai', [model('flux'), model('sdxl', true)]),
  candidate('sd-webui', [model('juggernaut', true)]),
  candidate('placeholder', [PLACEHOLDER_MODEL]),
];
const ask = (prompt: string, extra: Partial<Parameters<typeof route>[0]> = {}, candidates = all) =>
  route(
    { provider: 'auto', prompt, wantsNegativePrompt: false, allowPaid: false, paidProviders: [], ...extra },
    candidates,
  );

describe('auto routing', () => {
  it('sends text, logos and typography to OpenAI', () => {
    const chosen = ask('a logo for a bakery with the word "CRUMB"');
    expect(chosen.providerId).toBe('openai');
    expect(chosen.model.id).toBe('gpt-image-1.5');
    expect(chosen.reason).toMatch(/text, logos or typography/);
  });

  it('sends photos, anime and art to the SD WebUI', () => {
    expect(ask('a photorealistic portrait of an old fisherman').providerId).toBe('sd-webui');
    expect(ask('an anime girl under cherry blossoms').providerId).toBe('sd-webui');
  });

  it('prefers free providers when the prompt asks for nothing in particular', () => {
    expect(ask('a cat on a sofa').providerId).toBe('workers-ai');
  });

  it('falls back to the next capable provider when one is unavailable, and says why', () => {
    const down = all.map((c) => (c.id === 'openai' ? candidate('openai', c.catalogue as ModelInfo[], false) : c));
    const chosen = ask('poster with big text', {}, down);
    expect(chosen.providerId).toBe('gemini');
    expect(chosen.reason).toMatch(/skipped: openai is unavailable \(down\)/);
  });

  it('picks a model that supports a negative prompt when one is asked for', () => {
    const chosen = ask('a cat on a sofa', { wantsNegativePrompt: true });
    expect(chosen).toMatchObject({ providerId: 'workers-ai', model: { id: 'sdxl' } });
  });

  it('never uses the placeholder while a real provider is available', () => {
    const onlyPlaceholderLeft = all.map((c) =>
      c.id === 'placeholder' ? c : candidate(c.id, c.catalogue as ModelInfo[], false),
    );
    expect(ask('a cat', {}, onlyPlaceholderLeft).providerId).toBe('placeholder');
    expect(
      ask('a cat', {}, [candidate('sd-webui', [model('m')]), candidate('placeholder', [PLACEHOLDER_MODEL])]).providerId,
    ).toBe('sd-webui');
  });

  it('skips paid providers unless the caller opts in', () => {
    expect(ask('a logo with text', { paidProviders: ['openai', 'gemini'] }).providerId).toBe('workers-ai');
    expect(ask('a logo with text', { paidProviders: ['openai'], allowPaid: true }).providerId).toBe('openai');
    expect(() => ask('x', { provider: 'openai', paidProviders: ['openai'] })).toThrow(/allow_paid/);
  });

  it('lets a confirmation through for exactly the provider and model the person was shown', () => {
    const paid = { provider: 'openai', paidProviders: ['openai'] };
    const shown = { provider: 'openai', model: 'gpt-image-1.5' };
    expect(ask('x', { ...paid, confirmedPaid: shown }).model.id).toBe('gpt-image-1.5');
    expect(() => ask('x', { ...paid, model: 'dall-e-3', confirmedPaid: shown })).toThrow(PaidProviderError);
    expect(() => ask('x', { ...paid, confirmedPaid: { provider: 'gemini', model: 'gpt-image-1.5' } })).toThrow(
      PaidProviderError,
    );
  });

  it('resolves a model by name to its provider and refuses unknown ones naming what exists', () => {
    expect(ask('x', { model: 'juggernaut' }).providerId).toBe('sd-webui');
    expect(() => ask('x', { model: 'nope' })).toThrow(/No configured provider has model "nope". Models: gpt-image-1.5/);
    expect(() => ask('x', { provider: 'openai', model: 'flux' })).toThrow(/Its models: gpt-image-1.5, dall-e-3/);
  });
});
