/**
 * Cloudflare AI Gateway: one setting (AI_GATEWAY_ID, with the account id for URL-based providers) routes Workers AI
 * (the binding's `gateway` option), OpenAI and Gemini (their gateway base URLs) through a named gateway; the
 * gateway's own errors are classified like the providers'. Calls go through a fake of the gateway's endpoints
 * in front of the fakes of both APIs.
 */
import { describe, expect, inject, it } from 'vitest';
import { AI_GATEWAY_URL, loadConfig } from '../../src/config';
import { GeminiProvider } from '../../src/providers/gemini';
import { GEMINI_DEFAULT_MODEL } from '../../src/providers/gemini-models';
import { OpenAIProvider } from '../../src/providers/openai';
import { OPENAI_DEFAULT_MODEL } from '../../src/providers/openai-models';
import { createRegistry } from '../../src/providers/registry';
import { type GenerationRequest, ProviderError } from '../../src/providers/types';
import { type AiBinding, WorkersAiProvider } from '../../src/providers/workers-ai';
import { GATEWAY_ACCOUNT, GATEWAY_TOKEN, type GatewayRequest } from '../fakes/ai-gateway';
import { generationRequest } from '../helpers/generation-request';

const gatewayUrl = inject('aiGatewayUrl');
const keys = {
  OPENAI_API_KEY: inject('providerVars').OPENAI_API_KEY!,
  GEMINI_API_KEY: inject('providerVars').GEMINI_API_KEY!,
};
const settings = (gateway: string, extra: Record<string, string> = {}) =>
  loadConfig({
    AUTH_TOKEN: 'single-token-0123456789',
    ...keys,
    AI_GATEWAY_ID: gateway,
    AI_GATEWAY_ACCOUNT_ID: GATEWAY_ACCOUNT,
    AI_GATEWAY_URL: gatewayUrl,
    ...extra,
  }).providers;

function request(model: string, overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  const gemini = model === GEMINI_DEFAULT_MODEL && { aspectRatio: '1:1', resolution: '1K' };
  return generationRequest({ model, width: 1024, height: 1024, ...gemini, ...overrides });
}

const within = () => ({ signal: AbortSignal.timeout(15_000) });

async function gatewaySaw(): Promise<GatewayRequest[]> {
  return (await fetch(`${gatewayUrl.replace(/\/v1$/, '')}/__fake/requests`)).json();
}

describe('AI Gateway settings', () => {
  it('build the gateway URLs of OpenAI and Gemini, and the gateway option of Workers AI', () => {
    const providers = loadConfig({
      ...keys,
      AI_GATEWAY_ID: 'imagegen',
      AI_GATEWAY_ACCOUNT_ID: GATEWAY_ACCOUNT,
    }).providers;
    expect(providers.openai?.baseUrl).toBe(`${AI_GATEWAY_URL}/${GATEWAY_ACCOUNT}/imagegen/openai`);
    expect(providers.gemini?.baseUrl).toBe(`${AI_GATEWAY_URL}/${GATEWAY_ACCOUNT}/imagegen/google-ai-studio`);
    expect(providers.workersAiGateway).toEqual({ id: 'imagegen' });
    expect(providers.openai?.headers).toBeUndefined();
    expect(
      loadConfig({
        ...keys,
        AI_GATEWAY_ID: 'imagegen',
        AI_GATEWAY_ACCOUNT_ID: GATEWAY_ACCOUNT,
        AI_GATEWAY_TOKEN: 'tok',
      }).providers.gemini?.headers,
    ).toEqual({ 'cf-aig-authorization': 'Bearer tok' });
    // Off by default; an explicit base URL names where that provider's calls go.
    expect(loadConfig({ ...keys }).providers.workersAiGateway).toBeUndefined();
    expect(loadConfig({ ...keys }).providers.openai?.baseUrl).toBeUndefined();
    expect(
      loadConfig({
        ...keys,
        AI_GATEWAY_ID: 'imagegen',
        AI_GATEWAY_ACCOUNT_ID: GATEWAY_ACCOUNT,
        OPENAI_BASE_URL: 'https://proxy.example/v1',
      }).providers.openai?.baseUrl,
    ).toBe('https://proxy.example/v1');
  });

  it('refuse, saying what is missing, a gateway without its account id or with a malformed one', () => {
    expect(() => loadConfig({ ...keys, AI_GATEWAY_ID: 'imagegen' })).toThrow(
      /AI_GATEWAY_ACCOUNT_ID: needed with AI_GATEWAY_ID/,
    );
    expect(() => loadConfig({ ...keys, AI_GATEWAY_ID: 'imagegen', AI_GATEWAY_ACCOUNT_ID: 'acme' })).toThrow(
      /AI_GATEWAY_ACCOUNT_ID: must be a Cloudflare account id/,
    );
    expect(() => loadConfig({ AI_GATEWAY_ID: 'has spaces' })).toThrow(/AI_GATEWAY_ID: must be a gateway id/);
    // Workers AI alone needs no account id: the binding knows its account.
    expect(loadConfig({ AI_GATEWAY_ID: 'imagegen' }).providers.workersAiGateway).toEqual({ id: 'imagegen' });
  });
});

describe('calls through the gateway', () => {
  it('reach OpenAI through /v1/{account}/{gateway}/openai', async () => {
    const openai = new OpenAIProvider(settings('imagegen').openai!);
    const image = await openai.generate(request(OPENAI_DEFAULT_MODEL), within());
    expect(image.contentType).toBe('image/png');
    expect((await gatewaySaw()).at(-1)).toMatchObject({
      account: GATEWAY_ACCOUNT,
      gateway: 'imagegen',
      provider: 'openai',
      path: '/v1/images/generations',
      status: 200,
    });
  });

  it('reach Gemini through /v1/{account}/{gateway}/google-ai-studio', async () => {
    const gemini = new GeminiProvider(settings('imagegen').gemini!);
    const image = await gemini.generate(request(GEMINI_DEFAULT_MODEL), within());
    expect(image.contentType).toBe('image/png');
    expect((await gatewaySaw()).at(-1)).toMatchObject({
      gateway: 'imagegen',
      provider: 'google-ai-studio',
      path: `/v1beta/models/${GEMINI_DEFAULT_MODEL}:generateContent`,
      status: 200,
    });
  });

  it('send the gateway token to an authenticated gateway, and classify its refusal as an auth failure', async () => {
    const withToken = settings('authenticated', { AI_GATEWAY_TOKEN: GATEWAY_TOKEN });
    await new OpenAIProvider(withToken.openai!).generate(request(OPENAI_DEFAULT_MODEL), within());
    expect((await gatewaySaw()).at(-1)).toMatchObject({ authorization: `Bearer ${GATEWAY_TOKEN}`, status: 200 });

    const without = settings('authenticated');
    for (const provider of [new OpenAIProvider(without.openai!), new GeminiProvider(without.gemini!)]) {
      const model = provider instanceof OpenAIProvider ? OPENAI_DEFAULT_MODEL : GEMINI_DEFAULT_MODEL;
      const error = await provider.generate(request(model), within()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ code: 'auth_failed', retryable: false });
      expect((error as Error).message).toMatch(
        /^Cloudflare AI Gateway \(in front of .+\) rejected the credentials \(HTTP 401\).*code 2009: Unauthorized/,
      );
    }
    // A wrong token is never echoed in what is stored or shown.
    const wrong = settings('authenticated', { AI_GATEWAY_TOKEN: 'wrong-gateway-token-0123' });
    const error = await new OpenAIProvider(wrong.openai!)
      .generate(request(OPENAI_DEFAULT_MODEL), within())
      .catch((e: unknown) => e);
    expect((error as Error).message).not.toContain('wrong-gateway-token-0123');
  });

  it('pass the gateway option to the Workers AI binding', async () => {
    const calls: Array<Record<string, unknown> | undefined> = [];
    const ai: AiBinding = {
      run: async (_model, _inputs, options) => {
        calls.push(options);
        return { image: btoa(String.fromCharCode(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0)) };
      },
    };
    const registry = createRegistry(
      { placeholderDelayMs: 0, providers: loadConfig({ AI_GATEWAY_ID: 'imagegen' }).providers },
      { AI: ai },
    );
    const workersAi = registry.providers.get('workers-ai') as WorkersAiProvider;
    await workersAi.generate(request('@cf/black-forest-labs/flux-1-schnell', { width: 512, height: 512 }), within());
    expect(calls[0]).toMatchObject({ gateway: { id: 'imagegen' } });
    await new WorkersAiProvider(ai).generate(
      request('@cf/black-forest-labs/flux-1-schnell', { width: 512, height: 512 }),
      within(),
    );
    expect(calls[1]).not.toHaveProperty('gateway');
  });
});
