/** The Gemini provider's contract: what it sends, what it makes of each answer, and how each failure is classified. */
import { env } from 'cloudflare:test';
import { ApiError } from '@google/genai';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildGeminiRequest,
  classifyGeminiError,
  GeminiProvider,
  imageModelIds,
  readGeminiImage,
} from '../../src/providers/gemini';
import { GEMINI_DEFAULT_MODEL, GEMINI_MODELS } from '../../src/providers/gemini-models';
import { lifecycleAt, resolveRetired } from '../../src/providers/lifecycle';
import { imageDimensions } from '../../src/providers/sniff';
import { type GenerationRequest, ProviderError } from '../../src/providers/types';
import { generationRequest } from '../helpers/generation-request';
import { isWholePng } from '../helpers/png-check';

const KEY = env.GEMINI_API_KEY!;
const BASE = env.GEMINI_BASE_URL!;

function request(overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  const defaults = { model: GEMINI_DEFAULT_MODEL, width: 1024, height: 576, aspectRatio: '16:9', resolution: '1K' };
  return generationRequest({ ...defaults, ...overrides });
}

const provider = (apiKey = KEY) => new GeminiProvider({ apiKey, baseUrl: BASE });
const run = (r: GenerationRequest, p = provider(), signal = AbortSignal.timeout(10_000)) => p.generate(r, { signal });

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  const e = error as ProviderError;
  expect(e.message).not.toContain(KEY);
  return e;
}

interface Recorded {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  json?: unknown;
}

async function received(prompt: string): Promise<Recorded[]> {
  const all = (await (await fetch(`${BASE}/__fake/requests`)).json()) as Recorded[];
  return all.filter((r) => JSON.stringify(r.json ?? '').includes(prompt));
}

const png = (width: number, height: number) => {
  const b = new Uint8Array(24);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  new DataView(b.buffer).setUint32(16, width);
  new DataView(b.buffer).setUint32(20, height);
  return b;
};
const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const answer = (parts: object[], extra: object = {}) => ({
  candidates: [{ content: { parts, role: 'model' }, finishReason: 'STOP', ...extra }],
});

describe('catalogue', () => {
  it('has the default model, unique names, and a model that runs for every superseded or retired one', () => {
    const names = GEMINI_MODELS.flatMap((m) => [m.id, ...(m.aliases ?? [])]);
    expect(new Set(names).size).toBe(names.length);
    expect(GEMINI_MODELS.map((m) => m.id)).toContain(GEMINI_DEFAULT_MODEL);
    const now = Date.parse('2026-11-30T12:00:00Z');
    for (const m of GEMINI_MODELS.filter((m) => m.lifecycle !== 'current')) {
      // A retired preview points at its GA model, which may itself be superseded but still runs.
      expect(['current', 'legacy', 'deprecated'], m.id).toContain(
        lifecycleAt(resolveRetired(GEMINI_MODELS, m, now).model, now),
      );
      expect(
        GEMINI_MODELS.find((r) => r.id === m.replacement),
        m.id,
      ).toBeDefined();
    }
    for (const m of GEMINI_MODELS.filter((m) => m.lifecycle !== 'retired')) {
      expect(m.capabilities).toMatchObject({ negativePrompt: false, seed: false, formats: [], imageInput: true });
      expect(m.capabilities.sizes.kind).toBe('aspect');
      expect(m.costUsd).toBeGreaterThan(0);
    }
  });
});

describe('request mapping', () => {
  it('sends the prompt as contents, asks for an image only, and passes ratio and size', () => {
    const r = request({ aspectRatio: '21:9', resolution: '2K' });
    expect(buildGeminiRequest(r)).toEqual({
      model: 'gemini-nano-banana-2.1',
      contents: r.prompt,
      config: { responseModalities: ['IMAGE'], imageConfig: { aspectRatio: '21:9', imageSize: '2K' } },
    });
  });

  it('resolves aliases, leaves out imageSize for 2.5 Flash Image, and leaves out what was not planned', () => {
    expect(buildGeminiRequest(request({ model: 'nano-banana-pro' })).model).toBe('gemini-3-pro-image');
    expect(buildGeminiRequest(request({ model: 'gemini-2.5-flash-image' })).config).toEqual({
      responseModalities: ['IMAGE'],
      imageConfig: { aspectRatio: '16:9' },
    });
    expect(buildGeminiRequest(request({ aspectRatio: null, resolution: null })).config).toEqual({
      responseModalities: ['IMAGE'],
    });
  });
});

describe('response mapping', () => {
  it('takes the last final image, skips thought images, keeps text as a note and records the watermark', () => {
    const image = readGeminiImage(
      {
        ...answer([
          { text: 'planning the layout', thought: true },
          { inlineData: { mimeType: 'image/png', data: b64(png(10, 10)) }, thought: true },
          { text: 'Here is your lighthouse.' },
          { inlineData: { mimeType: 'image/png', data: b64(png(1376, 768)) }, thoughtSignature: 'c2ln' },
        ]),
        modelVersion: 'gemini-nano-banana-2.1',
        responseId: 'abc',
      },
      request(),
    );
    expect(image).toMatchObject({
      contentType: 'image/png',
      width: 1376,
      height: 768,
      model: 'gemini-nano-banana-2.1',
      seed: null,
    });
    expect(image.metadata).toEqual({
      synthid_watermark: true,
      note: 'Here is your lighthouse.',
      model_version: 'gemini-nano-banana-2.1',
      response_id: 'abc',
    });
  });

  it('reads JPEG sizes from the frame header, and falls back to ratio and resolution', () => {
    const jpeg = new Uint8Array([
      0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xc0, 0, 17, 8, 0x03, 0x00, 0x05, 0x60, 3, 0, 0, 0, 0,
    ]);
    expect(imageDimensions(jpeg)).toEqual({ width: 1376, height: 768 });
    const bare = new Uint8Array([0xff, 0xd8, 0xff, 0xd9]);
    const r = request({ aspectRatio: '9:16', resolution: '2K' });
    expect(readGeminiImage(answer([{ inlineData: { mimeType: 'image/png', data: b64(bare) } }]), r)).toMatchObject({
      contentType: 'image/jpeg',
      // The pixel count of 2K's square at 9:16, sides in multiples of 16.
      width: 1536,
      height: 2736,
    });
  });

  it('calls policy refusals content_policy and every other missing image malformed_response', () => {
    const policyCases = [
      { promptFeedback: { blockReason: 'PROHIBITED_CONTENT' } },
      { candidates: [{ content: { role: 'model' }, finishReason: 'IMAGE_SAFETY' }] },
      { candidates: [{ finishReason: 'SAFETY' }] },
    ];
    for (const raw of policyCases) {
      const e = (() => {
        try {
          readGeminiImage(raw, request());
        } catch (error) {
          return error as ProviderError;
        }
      })();
      expect(e).toMatchObject({ retryable: false, code: 'content_policy' });
      expect(e?.message).toMatch(/PROHIBITED_CONTENT|IMAGE_SAFETY|SAFETY/);
    }
    const malformedCases = [
      answer([{ text: 'Which lighthouse do you mean?' }]),
      answer([{ inlineData: { mimeType: 'image/png', data: b64(new TextEncoder().encode('not an image')) } }]),
      answer([{ inlineData: { mimeType: 'image/png', data: '%%%' } }]),
      { candidates: 'nope' },
      {},
    ];
    for (const raw of malformedCases)
      expect(() => readGeminiImage(raw, request())).toThrow(
        expect.objectContaining({ code: 'malformed_response', retryable: false }),
      );
    expect(() => readGeminiImage(answer([{ text: 'Which lighthouse do you mean?' }]), request())).toThrow(
      /Which lighthouse/,
    );
  });
});

describe('error mapping', () => {
  const apiError = (status: number, body: object) => new ApiError({ status, message: JSON.stringify(body) });
  it('classifies SDK errors by status, and a bad key by its reason', () => {
    const badKey = apiError(400, {
      error: {
        code: 400,
        message: 'API key not valid. Please pass a valid API key.',
        status: 'INVALID_ARGUMENT',
        details: [{ reason: 'API_KEY_INVALID' }],
      },
    });
    expect(classifyGeminiError(badKey, [KEY])).toMatchObject({ code: 'auth_failed', retryable: false });
    expect(
      classifyGeminiError(apiError(429, { error: { status: 'RESOURCE_EXHAUSTED', message: 'quota' } }), [KEY]),
    ).toMatchObject({
      code: 'rate_limited',
      retryable: true,
    });
    expect(
      classifyGeminiError(apiError(503, { error: { status: 'UNAVAILABLE', message: 'overloaded' } }), [KEY]).retryable,
    ).toBe(true);
    expect(classifyGeminiError(apiError(400, { error: { message: `echo ${KEY}` } }), [KEY]).message).not.toContain(KEY);
    expect(classifyGeminiError(new TypeError('Network connection lost.'), [KEY])).toMatchObject({
      code: 'provider_unreachable',
      retryable: true,
    });
  });

  it('lists only generateContent models named for images', () => {
    expect(
      imageModelIds([
        { name: 'models/gemini-nano-banana-2.1', supportedActions: ['generateContent'] },
        { name: 'models/imagen-4.0-generate-001', supportedActions: ['predict'] },
        { name: 'models/gemini-3.8-flash', supportedActions: ['generateContent'] },
        { name: 'models/gemini-3-pro-image', supportedActions: ['generateContent', 'countTokens'] },
      ]),
    ).toEqual(['gemini-nano-banana-2.1', 'gemini-3-pro-image']);
  });
});

describe('against the fake Gemini API', () => {
  afterAll(async () => {
    expect(await (await fetch(`${BASE}/__fake/unexpected`)).json()).toEqual([]);
  });

  it('POSTs generateContent on v1beta with the key in x-goog-api-key and the exact body', async () => {
    const r = request({ aspectRatio: '3:2', resolution: '2K' });
    await run(r);
    const [sent, ...more] = await received(r.prompt);
    expect(more).toEqual([]);
    expect(sent).toMatchObject({
      method: 'POST',
      path: '/v1beta/models/gemini-nano-banana-2.1:generateContent',
      query: {},
    });
    expect(sent!.headers['x-goog-api-key']).toBe(KEY);
    expect(sent!.json).toEqual({
      contents: [{ role: 'user', parts: [{ text: r.prompt }] }],
      generationConfig: { responseModalities: ['IMAGE'], imageConfig: { aspectRatio: '3:2', imageSize: '2K' } },
    });
  });

  it('makes a real image with every catalogue model at its first ratio and resolution', async () => {
    // Retired names never reach the API: routing sends them to their replacement (model-lifecycle.test.ts).
    for (const model of GEMINI_MODELS.filter((m) => m.lifecycle !== 'retired')) {
      const sizes = model.capabilities.sizes;
      if (sizes.kind !== 'aspect') throw new Error('aspect models only');
      const r = request({ model: model.id, aspectRatio: sizes.ratios[0]!, resolution: sizes.resolutions?.[0] ?? null });
      const image = await run(r);
      expect(image).toMatchObject({
        contentType: 'image/png',
        model: model.id,
        width: 1024,
        height: 1024,
        seed: null,
        revisedPrompt: null,
      });
      expect(image.metadata).toMatchObject({
        synthid_watermark: true,
        model_version: model.id,
        response_id: expect.any(String),
      });
    }
  });

  it('reads the size from the PNG it got, and the true type of mislabelled bytes', async () => {
    expect(await run(request({ aspectRatio: '16:9' }))).toMatchObject({
      contentType: 'image/png',
      width: 1360,
      height: 768,
    });
    const jpeg = await run(request({ prompt: `FAKE:mislabelled ${crypto.randomUUID()}` }));
    expect(jpeg).toMatchObject({ contentType: 'image/jpeg', width: 1360, height: 768 });
  });

  it('takes a large image out of the answer whole and keeps the rest of it', async () => {
    const r = request({ prompt: `FAKE:noisy ${crypto.randomUUID()}`, aspectRatio: '1:1', resolution: '1K' });
    const image = await run(r);
    expect(image).toMatchObject({ contentType: 'image/png', width: 1024, height: 1024 });
    expect(image.bytes.byteLength).toBeGreaterThan(1024 * 1024 * 3);
    expect(isWholePng(image.bytes)).toBe(true);
    expect(image.metadata).toMatchObject({ model_version: GEMINI_DEFAULT_MODEL, response_id: expect.any(String) });
  });

  it('classifies every failure mode', async () => {
    const cases: Array<[string, string, boolean]> = [
      ['rate_limit', 'rate_limited', true],
      ['server_error', 'provider_unavailable', true],
      ['bad_request', 'provider_rejected', false],
      ['content_policy', 'content_policy', false],
      ['content_policy:1', 'content_policy', false],
      ['malformed', 'malformed_response', false],
      ['malformed:1', 'malformed_response', false],
      ['malformed:2', 'malformed_response', false],
    ];
    for (const [mode, code, retryable] of cases) {
      const e = await failure(run(request({ prompt: `FAKE:${mode} ${crypto.randomUUID()}` })));
      expect({ mode, code: e.code, retryable: e.retryable }).toEqual({ mode, code, retryable });
    }
  });

  it('retries nothing itself: a flaky answer fails once as retryable, then works', async () => {
    const r = request({ prompt: `FAKE:flaky:1 ${crypto.randomUUID()}` });
    expect(await failure(run(r))).toMatchObject({ code: 'provider_unavailable', retryable: true });
    expect((await run(r)).contentType).toBe('image/png');
    expect(await received(r.prompt)).toHaveLength(2);
  });

  it('passes on what the API says about a ratio or size the model does not take', async () => {
    const e = await failure(run(request({ model: 'gemini-3-pro-image', aspectRatio: '8:1' })));
    expect(e).toMatchObject({ code: 'provider_rejected', retryable: false });
    expect(e.message).toMatch(/aspect ratio: 8:1/);
    const lite = await failure(run(request({ model: 'gemini-3.1-flash-lite-image', resolution: '4K' })));
    expect(lite.message).toMatch(/image size: 4K/);
  });

  it('names a bad key and an unknown model without leaking the key', async () => {
    const wrong = 'wrong-gemini-key-9876543210';
    const e = await failure(run(request(), provider(wrong)));
    expect(e).toMatchObject({ code: 'auth_failed', retryable: false });
    expect(e.message).toMatch(/GEMINI_API_KEY/);
    expect(e.message).not.toContain(wrong);
    expect(await failure(provider(wrong).discover(AbortSignal.timeout(5000)))).toMatchObject({ code: 'auth_failed' });
    expect(await failure(run(request({ model: 'gemini-9-imaginary-image' })))).toMatchObject({
      code: 'model_not_found',
      retryable: false,
    });
  });

  it('discovers the image models from the model list', async () => {
    expect(await provider().discover(AbortSignal.timeout(5000))).toEqual([
      'gemini-nano-banana-2.1',
      'gemini-3-pro-image',
      'gemini-3.1-flash-image',
      'gemini-3.1-flash-lite-image',
      'gemini-2.5-flash-image',
    ]);
    const all = (await (await fetch(`${BASE}/__fake/requests`)).json()) as Recorded[];
    const list = all.filter((r) => r.path === '/v1beta/models' && r.headers['x-goog-api-key'] === KEY);
    expect(list.at(-1)?.query).toEqual({ pageSize: '1000' });
  });

  it('gives up when the signal fires, as a retryable timeout', async () => {
    // The fake hangs for good: only the signal can end this call.
    const e = await failure(
      run(request({ prompt: `FAKE:hang ${crypto.randomUUID()}` }), provider(), AbortSignal.timeout(300)),
    );
    expect(e).toMatchObject({ code: 'timeout', retryable: true });
  });
});
