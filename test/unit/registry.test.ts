/** The provider registry is built once per configuration and AI binding, not on every request. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { registryFor } from '../../src/providers/registry';
import type { AiBinding } from '../../src/providers/workers-ai';

describe('registryFor', () => {
  it('reuses the registry for the same configuration and binding, and rebuilds it for another', () => {
    const config = loadConfig({ OPENAI_API_KEY: 'sk-test-0123456789' });
    const ai = { run: async () => new Uint8Array() } as unknown as AiBinding;
    const first = registryFor(config, { AI: ai });
    expect(registryFor(config, { AI: ai })).toBe(first);
    expect([...first.providers.keys()]).toEqual(['workers-ai', 'openai', 'placeholder']);

    const withoutAi = registryFor(config);
    expect(withoutAi).not.toBe(first);
    expect([...withoutAi.providers.keys()]).toEqual(['openai', 'placeholder']);
    expect(registryFor(loadConfig({}))).not.toBe(withoutAi);
  });
});
