/** The OpenAI provider's contract, against a fake of the OpenAI API that fails on any request it does not know. */
import { env } from 'cloudflare:test';
import { APIConnectionError, APIError } from 'openai';
import { afterAll, describe, expect, it } from 'vitest';
import { isRetired, lifecycleAt } from '../../src/providers/lifecycle';
import {
  classifyOpenAIError,
  fromImagesResponse,
  imageModelIds,
  OpenAIProvider,
  toImageParams,
} from '../../src/providers/openai';
import { OPENAI_DEFAULT_MODEL, OPENAI_MODELS } from '../../src/providers/openai-models';
import { type GenerationRequest, ProviderError, SpillError } from '../../src/providers/types';
import type { FakeRequest } from '../fakes/server';
import { generationRequest } from '../helpers/generation-request';
import { isWholePng } from '../helpers/png-check';

function setting(value: string | undefined, name: string): string {
  if (!value) throw new Error(`${name} is not set; the global setup should point it at the fake`);
  return value;
}

const apiKey = setting(env.OPENAI_API_KEY, 'OPENAI_API_KEY');
const baseUrl = setting(env.OPENAI_BASE_URL, 'OPENAI_BASE_URL');
const fakeUrl = baseUrl.replace(/\/v1$/, '');
const provider = new OpenAIProvider({ apiKey, baseUrl });

function planned(overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  return generationRequest({ model: OPENAI_DEFAULT_MODEL, width: 1024, height: 1024, ...overrides });
}

const within = (ms = 15_000) => ({ signal: AbortSignal.timeout(ms) });

async function fake<T>(path: string): Promise<T> {
  return (await fetch(`${fakeUrl}/__fake/${path}`)).json<T>();
}

/** What the fake received for one prompt (prompts are unique per test). */
async function received(prompt: string): Promise<FakeRequest[]> {
  const all = await fake<FakeRequest[]>('requests');
  return all.filter((r) => (r.json as { prompt?: unknown } | undefined)?.prompt === prompt);
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  const failed = error as ProviderError;
  expect(failed.message).not.toContain(apiKey);
  return failed;
}

afterAll(async () => {
  expect(await fake<FakeRequest[]>('unexpected')).toEqual([]);
});

describe('catalogue', () => {
  it('keeps retired names only as pointers to a model that runs, and says which are deprecated', () => {
    const now = Date.parse('2026-11-30T12:00:00Z');
    const current = OPENAI_MODELS.filter((m) => m.lifecycle === 'current').map((m) => m.id);
    expect(current).toContain(OPENAI_DEFAULT_MODEL);
    for (const model of OPENAI_MODELS.filter((m) => m.lifecycle !== 'current')) {
      const target = OPENAI_MODELS.find((m) => m.id === model.replacement);
      expect(target, model.id).toBeDefined();
      expect(isRetired(target!, now), model.id).toBe(false);
    }
    expect(OPENAI_MODELS.filter((m) => isRetired(m, now)).map((m) => m.id)).toEqual([
      'gpt-image-1',
      'dall-e-3',
      'dall-e-2',
    ]);
    expect(OPENAI_MODELS.filter((m) => lifecycleAt(m, now) === 'deprecated').map((m) => m.id)).toEqual([
      'gpt-image-1.5',
      'gpt-image-1-mini',
      'chatgpt-image-latest',
    ]);
  });

  it('describes GPT image models: natural language, no seed, steps or negative prompt, edits with 16 images', () => {
    for (const { capabilities: caps, style, costUsd, lifecycle } of OPENAI_MODELS.filter(
      (m) => m.lifecycle !== 'retired',
    )) {
      expect(style.promptGrammar).toBe('natural-language');
      expect(caps).toMatchObject({
        negativePrompt: false,
        seed: false,
        steps: null,
        imageInput: true,
        maxInputImages: 16,
        maxPromptChars: 32_000,
      });
      expect(caps.formats).toEqual(['png', 'jpeg', 'webp']);
      // OpenAI publishes no per-image price for chatgpt-image-latest, which is deprecated.
      if (lifecycle !== 'deprecated') expect(costUsd).toBeGreaterThan(0);
    }
  });

  it('offers gpt-image-2 and later only sizes that meet the API rules', () => {
    for (const model of OPENAI_MODELS.filter((m) => m.id.startsWith('gpt-image-2'))) {
      const sizes = model.capabilities.sizes;
      expect(sizes.kind).toBe('fixed');
      if (sizes.kind !== 'fixed') continue;
      for (const [w, h] of sizes.sizes) {
        expect(w % 16 === 0 && h % 16 === 0, `${w}x${h}`).toBe(true);
        expect(Math.max(w, h) / Math.min(w, h)).toBeLessThanOrEqual(3);
        expect(w * h).toBeGreaterThanOrEqual(655_360);
        expect(w * h).toBeLessThanOrEqual(8_294_400);
      }
    }
  });
});

describe('the fake', () => {
  async function post(body: object, key = apiKey): Promise<{ status: number; code: unknown }> {
    const response = await fetch(`${baseUrl}/images/generations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: `strictness ${crypto.randomUUID()}`, ...body }),
    });
    const json = await response.json<{ error?: { code?: unknown } }>();
    return { status: response.status, code: json.error?.code };
  }

  it('refuses what the API refuses, so the requests above are known to be valid', async () => {
    expect(await post({ model: 'gpt-image-2.6-flare', response_format: 'b64_json' })).toEqual({
      status: 400,
      code: 'unknown_parameter',
    });
    expect(await post({ model: 'gpt-image-2.6-flare', size: '1024x576' })).toEqual({
      status: 400,
      code: 'invalid_value',
    });
    expect(await post({ model: 'gpt-image-1.5', size: '1792x1024' })).toEqual({ status: 400, code: 'invalid_value' });
    expect(await post({ model: 'gpt-image-2', background: 'transparent' })).toEqual({
      status: 400,
      code: 'invalid_value',
    });
    expect(await post({ model: 'gpt-image-1.5', quality: 'hd' })).toEqual({ status: 400, code: 'invalid_value' });
    expect(await post({ model: 'gpt-image-2.6-flare', output_format: 'jpeg', background: 'transparent' })).toEqual({
      status: 400,
      code: 'invalid_value',
    });
    expect(await post({ model: 'gpt-image-1' })).toEqual({ status: 404, code: 'model_not_found' });
    expect(await post({ model: 'gpt-image-2.6-flare', prompt: '' })).toEqual({
      status: 400,
      code: 'missing_required_parameter',
    });
    expect(await post({ model: 'gpt-image-2.6-flare' }, 'sk-wrong-0000')).toEqual({
      status: 401,
      code: 'invalid_api_key',
    });
  });
});

describe('request mapping', () => {
  it('sends model, prompt, n=1 and size, and nothing else by default (never response_format)', () => {
    const request = planned({ width: 1536, height: 864 });
    expect(toImageParams(request)).toEqual({
      model: OPENAI_DEFAULT_MODEL,
      prompt: request.prompt,
      n: 1,
      size: '1536x864',
    });
  });

  it('sends quality, output_format and background when set', () => {
    const params = toImageParams(planned({ quality: 'max', outputFormat: 'webp', background: 'transparent' }));
    expect(params).toMatchObject({ quality: 'max', output_format: 'webp', background: 'transparent' });
  });

  it('leaves out options the model does not offer, so the API default applies', () => {
    expect(toImageParams(planned({ model: 'gpt-image-1.5', quality: 'max' }))).not.toHaveProperty('quality');
    expect(toImageParams(planned({ model: 'gpt-image-2', background: 'transparent' }))).not.toHaveProperty(
      'background',
    );
  });
});

describe('generate', () => {
  it('posts the mapped body with the bearer key and returns the PNG the API made', async () => {
    const request = planned({ width: 1536, height: 864, quality: 'high' });
    const image = await provider.generate(request, within());
    const [sent] = await received(request.prompt);
    expect(sent).toMatchObject({ method: 'POST', path: '/v1/images/generations' });
    expect(sent?.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(sent?.json).toEqual({
      model: OPENAI_DEFAULT_MODEL,
      prompt: request.prompt,
      n: 1,
      size: '1536x864',
      quality: 'high',
    });
    expect(image).toMatchObject({
      contentType: 'image/png',
      width: 1536,
      height: 864,
      model: OPENAI_DEFAULT_MODEL,
      seed: null,
      revisedPrompt: null,
    });
    expect(image.bytes.subarray(0, 4)).toEqual(new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
    expect(image.metadata).toMatchObject({
      quality: 'high',
      background: 'opaque',
      outputFormat: 'png',
      outputTokens: 1056,
      requestId: expect.stringMatching(/^req_/),
    });
  });

  it('takes a large image out of the answer whole and keeps the rest of it', async () => {
    const request = planned({ prompt: `FAKE:noisy ${crypto.randomUUID()}`, width: 1024, height: 1024 });
    const image = await provider.generate(request, within());
    expect(image).toMatchObject({ contentType: 'image/png', width: 1024, height: 1024 });
    expect(image.bytes.byteLength).toBeGreaterThan(1024 * 1024 * 3);
    expect(isWholePng(image.bytes)).toBe(true);
    expect(image.metadata).toMatchObject({ outputFormat: 'png', requestId: expect.stringMatching(/^req_/) });
  });

  it('retries a failure to store a part as storage, not as the API being unreachable', async () => {
    const spill = {
      partBytes: 1 << 20,
      written: 0,
      head: undefined,
      write: () => Promise.reject(new Error('R2 is down')),
    };
    const request = planned({ prompt: `FAKE:noisy ${crypto.randomUUID()}`, width: 1024, height: 1024 });
    await expect(provider.generate(request, { ...within(), spill })).rejects.toBeInstanceOf(SpillError);
  });

  it('records the true content type of JPEG and WebP output', async () => {
    const jpeg = await provider.generate(planned({ model: 'gpt-image-1-mini', outputFormat: 'jpeg' }), within());
    expect(jpeg.contentType).toBe('image/jpeg');
    const webp = await provider.generate(planned({ outputFormat: 'webp', background: 'transparent' }), within());
    expect(webp).toMatchObject({
      contentType: 'image/webp',
      metadata: { background: 'transparent', outputFormat: 'webp' },
    });
  });

  it('is accepted by the API for every size and option each catalogue model offers', async () => {
    // Retired names never reach the API: routing sends them to their replacement (model-lifecycle.test.ts).
    const requests = OPENAI_MODELS.filter((m) => m.lifecycle !== 'retired').flatMap(({ id, capabilities: caps }) => {
      const sizes = caps.sizes.kind === 'fixed' ? caps.sizes.sizes : [];
      return [
        ...sizes.map(([width, height]) => planned({ model: id, width, height })),
        ...caps.qualities.map((quality) => planned({ model: id, quality })),
        ...caps.formats.map((outputFormat) => planned({ model: id, outputFormat })),
        ...caps.backgrounds.map((background) => planned({ model: id, background, outputFormat: 'png' })),
      ];
    });
    const images = await Promise.all(requests.map((r) => provider.generate(r, within(30_000))));
    images.forEach((image, i) => {
      expect(image.model).toBe(requests[i]!.model);
      expect([image.width, image.height]).toEqual([requests[i]!.width, requests[i]!.height]);
    });
  });
});

describe('response mapping', () => {
  const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4f5IBAAR7AgB3r3JjAAAAAElFTkSuQmCC';

  it('keeps the revised prompt and the size the API reports', () => {
    const image = fromImagesResponse(
      { created: 1, size: '1024x1536', data: [{ b64_json: png, revised_prompt: 'a tall lighthouse at dusk' }] },
      planned(),
    );
    expect(image).toMatchObject({
      contentType: 'image/png',
      width: 1024,
      height: 1536,
      revisedPrompt: 'a tall lighthouse at dusk',
    });
  });

  it.each([
    ['no data', { created: 1 }],
    ['an empty data list', { created: 1, data: [] }],
    ['an image without b64_json', { created: 1, data: [{ url: 'https://example.com/a.png' }] }],
    ['a text body', 'upstream proxy error'],
    ['invalid base64', { created: 1, data: [{ b64_json: '***not base64***' }] }],
    ['bytes that are not an image', { created: 1, data: [{ b64_json: btoa('hello, world') }] }],
  ])('rejects %s as a malformed response, not retried', (_, body) => {
    const error = (() => {
      try {
        fromImagesResponse(body, planned());
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ retryable: false, code: 'malformed_response' });
  });
});

describe('failures', () => {
  it.each([
    ['rate_limit', true, 'rate_limited', /rate limit/i],
    ['server_error', true, 'provider_unavailable', /server error/],
    ['content_policy', false, 'content_policy', /content policy.*Rephrase the prompt/],
    ['bad_request', false, 'provider_rejected', /rejected the request \(HTTP 400\)/],
    ['malformed', false, 'malformed_response', /not a PNG, JPEG, WebP or GIF/],
  ])('classifies FAKE:%s (retryable: %s, code %s)', async (mode, retryable, code, message) => {
    const error = await failure(
      provider.generate(planned({ prompt: `FAKE:${mode} ${crypto.randomUUID()}` }), within()),
    );
    expect(error).toMatchObject({ retryable, code });
    expect(error.message).toMatch(message);
  });

  it('fails retryably while the API is flaky, then succeeds', async () => {
    const request = planned({ prompt: `FAKE:flaky:1 ${crypto.randomUUID()}` });
    expect(await failure(provider.generate(request, within()))).toMatchObject({
      retryable: true,
      code: 'provider_unavailable',
    });
    expect((await provider.generate(request, within())).contentType).toBe('image/png');
  });

  it('refuses a wrong key without retrying, and never shows a key', async () => {
    const wrongKey = 'sk-test-wrong-key-9876543210';
    const wrong = new OpenAIProvider({ apiKey: wrongKey, baseUrl });
    const error = await failure(wrong.generate(planned(), within()));
    expect(error).toMatchObject({ retryable: false, code: 'auth_failed' });
    expect(error.message).toMatch(/check the API key.*invalid_api_key/);
    expect(error.message).not.toContain(wrongKey);
  });

  it('reports a shut-down model as unknown, not retried', async () => {
    const error = await failure(provider.generate(planned({ model: 'dall-e-3' }), within()));
    expect(error).toMatchObject({ retryable: false, code: 'model_not_found' });
  });

  it('gives up when the caller’s deadline passes, retryably', async () => {
    // The fake hangs for good: only the deadline can end this call.
    const error = await failure(
      provider.generate(planned({ prompt: `FAKE:hang ${crypto.randomUUID()}` }), within(300)),
    );
    expect(error).toMatchObject({ retryable: true, code: 'timeout' });
  });

  it('gives up after its own timeout, retryably', async () => {
    const quick = new OpenAIProvider({ apiKey, baseUrl, timeoutMs: 300 });
    expect(quick.timeoutMs).toBe(300);
    const error = await failure(quick.generate(planned({ prompt: `FAKE:hang ${crypto.randomUUID()}` }), within()));
    expect(error).toMatchObject({ retryable: true, code: 'timeout' });
  });

  it('treats an unreachable API as retryable', async () => {
    const nowhere = new OpenAIProvider({ apiKey, baseUrl: 'http://127.0.0.1:1/v1' });
    expect(await failure(nowhere.generate(planned(), within()))).toMatchObject({
      retryable: true,
      code: 'provider_unreachable',
    });
  });

  it('removes the key from any error message the SDK or API produces', async () => {
    const fromApi = await classifyOpenAIError(
      new APIError(400, { message: `key ${apiKey} is odd`, code: 'invalid_value' }, undefined, new Headers()),
      [apiKey],
    );
    expect(fromApi).toMatchObject({ retryable: false, code: 'provider_rejected' });
    expect(fromApi.message).toContain('[redacted]');
    const fromNetwork = await classifyOpenAIError(new APIConnectionError({ message: `failed with ${apiKey}` }), [
      apiKey,
    ]);
    expect(fromNetwork).toMatchObject({ retryable: true, code: 'provider_unreachable' });
    expect(fromNetwork.message).not.toContain(apiKey);
  });

  it('recognises content-policy refusals by their code', async () => {
    for (const code of ['moderation_blocked', 'content_policy_violation']) {
      const error = await classifyOpenAIError(
        new APIError(400, { message: 'Your request was rejected.', code }, undefined, new Headers()),
        [],
      );
      expect(error).toMatchObject({ retryable: false, code: 'content_policy' });
    }
  });
});

describe('discover', () => {
  it('lists the image models the API serves, and nothing else', async () => {
    const before = (await fake<FakeRequest[]>('requests')).length;
    const ids = await provider.discover(AbortSignal.timeout(10_000));
    // Every model that has not shut down; the fake API lists shutdown dates as the real one does.
    const live = OPENAI_MODELS.filter((m) => !isRetired(m, Date.now())).map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(live));
    expect(ids.every((id) => /^(gpt-image-|chatgpt-image-)/.test(id))).toBe(true);
    const sent = (await fake<FakeRequest[]>('requests')).slice(before).filter((r) => r.path === '/v1/models');
    expect(sent[0]).toMatchObject({ method: 'GET', headers: { authorization: `Bearer ${apiKey}` } });
  });

  it('leaves out models past their shutdown date', () => {
    const now = Date.parse('2026-12-02T00:00:00Z');
    const listed = [
      { id: 'gpt-image-1.5', shutdown_date: '2026-12-01' },
      { id: 'gpt-image-2.6-flare', shutdown_date: null },
      { id: 'gpt-image-2' },
      { id: 'gpt-5.6-sol' },
    ];
    expect(imageModelIds(listed, now)).toEqual(['gpt-image-2.6-flare', 'gpt-image-2']);
  });

  it('classifies a refused listing like any other call', async () => {
    const wrong = new OpenAIProvider({ apiKey: 'sk-test-wrong-key-9876543210', baseUrl });
    expect(await failure(wrong.discover(AbortSignal.timeout(10_000)))).toMatchObject({
      retryable: false,
      code: 'auth_failed',
    });
  });
});
