/**
 * The Stable Diffusion WebUI provider against a fake of the WebUI's API (test/fakes/sd-webui.ts): presets and
 * request mapping as pure functions, then the HTTP contract (what is sent, what is kept, how failures are classified).
 */
import { env } from 'cloudflare:test';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type SdWebuiOptions, SdWebuiProvider } from '../../src/providers/sd-webui';
import { errorDetail, txt2imgBody } from '../../src/providers/sd-webui-models';
import {
  CURRENT_CHECKPOINT,
  catalogueFor,
  checkpointStem,
  familyOf,
  PRESETS,
  presetFor,
  SD_WEBUI_FALLBACK_CATALOGUE,
} from '../../src/providers/sd-webui-presets';
import { providerStatuses } from '../../src/providers/status';
import { type GenerationContext, type GenerationRequest, ProviderError } from '../../src/providers/types';
import { generationRequest } from '../helpers/generation-request';
import { isWholePng } from '../helpers/png-check';

const vars = z.object({ SD_WEBUI_URL: z.url(), SD_WEBUI_AUTH: z.string().includes(':') }).parse(env);
const PASSWORD = vars.SD_WEBUI_AUTH.slice(vars.SD_WEBUI_AUTH.indexOf(':') + 1);
const BASIC = btoa(vars.SD_WEBUI_AUTH);

const SD15 = 'v1-5-pruned-emaonly.safetensors [fd07ab5d4e]';
const FLUX = 'flux1-dev-bnb-nf4-v2.safetensors';

interface Received {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  json?: Record<string, unknown>;
}

function provider(options: Partial<SdWebuiOptions> = {}): SdWebuiProvider {
  return new SdWebuiProvider({ url: vars.SD_WEBUI_URL, auth: vars.SD_WEBUI_AUTH, ...options });
}

function request(prompt: string, overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  return generationRequest({ prompt, model: CURRENT_CHECKPOINT, width: 64, height: 48, ...overrides });
}

const ctx = (signal: AbortSignal = AbortSignal.timeout(20_000)): GenerationContext => ({ signal });

async function fake<T>(path: string): Promise<T> {
  return (await fetch(`${vars.SD_WEBUI_URL}${path}`)).json();
}

async function sent(prompt: string): Promise<Received[]> {
  const all = await fake<Received[]>('/__fake/requests');
  return all.filter((r) => r.path === '/sdapi/v1/txt2img' && r.json?.prompt === prompt);
}

/** The classified error a call fails with; also checks that no secret leaks into it. */
async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  const message = (error as ProviderError).message;
  expect(message).not.toContain(PASSWORD);
  expect(message).not.toContain(BASIC);
  return error as ProviderError;
}

/** Titles as the fake's WebUI lists them (hashes are the fake's). */
async function titles(): Promise<string[]> {
  return provider().discover(AbortSignal.timeout(5_000));
}

afterAll(async () => {
  expect(await fake<unknown[]>('/__fake/unexpected')).toEqual([]);
});

describe('presets (pure)', () => {
  it.each([
    ['v1-5-pruned-emaonly.safetensors [6ce0161689]', 'sd15'],
    ['realisticVisionV60B1_v51VAE.safetensors', 'sd15'],
    ['sd_xl_base_1.0.safetensors [31e35c80fc]', 'sdxl'],
    ['ponyDiffusionV6XL_v6.safetensors', 'sdxl'],
    ['illustrious/noobaiXLNAIXL_vPred10.safetensors', 'sdxl'],
    ['SDXL/juggernautXL_v9Lightning.safetensors [c8df560d29]', 'sdxl-lightning'],
    ['dreamshaperXL_v21TurboDPMSDE.safetensors', 'sdxl-turbo'],
    ['Hyper-SDXL-8steps.safetensors', 'sdxl-turbo'],
    ['flux1-dev-bnb-nf4-v2.safetensors [f0770152ec]', 'flux'],
    ['flux1-schnell-fp8.safetensors', 'flux-schnell'],
    ['sd3_medium_incl_clips.safetensors', 'sd3'],
    ['sd3.5_large.safetensors', 'sd3'],
    ['default', 'default'],
  ])('%s is %s', (title, family) => {
    expect(familyOf(title)).toBe(family);
  });

  it('gives each family its recommended settings', () => {
    const pick = (f: keyof typeof PRESETS) => {
      const { sizes, steps, cfgScale, distilledCfgScale, sampler, scheduler, negativePrompt, style } = PRESETS[f];
      return {
        sizes,
        steps: steps.default,
        cfgScale,
        distilledCfgScale,
        sampler,
        scheduler,
        negativePrompt,
        grammar: style.promptGrammar,
      };
    };
    expect(pick('sd15')).toEqual({
      sizes: { min: 256, max: 1024, step: 8 },
      steps: 25,
      cfgScale: 7,
      distilledCfgScale: null,
      sampler: 'DPM++ 2M',
      scheduler: 'Karras',
      negativePrompt: true,
      grammar: 'tag-list',
    });
    expect(pick('sdxl')).toMatchObject({
      sizes: { min: 512, max: 2048 },
      steps: 30,
      cfgScale: 6.5,
      sampler: 'DPM++ 2M',
      scheduler: 'Karras',
    });
    expect(pick('sdxl-lightning')).toMatchObject({
      steps: 6,
      cfgScale: 1.5,
      sampler: 'DPM++ SDE',
      scheduler: 'SGM Uniform',
    });
    expect(pick('sdxl-turbo')).toMatchObject({ steps: 6, cfgScale: 2, sampler: 'DPM++ SDE', scheduler: 'Karras' });
    expect(PRESETS['sdxl-turbo'].steps).toEqual({ min: 4, max: 8, default: 6 });
    expect(pick('flux')).toMatchObject({
      steps: 20,
      cfgScale: 1,
      distilledCfgScale: 3.5,
      sampler: 'Euler',
      scheduler: 'Simple',
      negativePrompt: false,
      grammar: 'natural-language',
    });
    expect(pick('sd3')).toMatchObject({ steps: 28, cfgScale: 4.5, sampler: 'Euler', grammar: 'natural-language' });
    expect(PRESETS.sd15.baseSize).toBe(512);
    expect(PRESETS.sdxl.baseSize).toBe(1024);
  });

  it('names a checkpoint by its file stem, as the WebUI reports the one it ran', () => {
    expect(checkpointStem('SDXL/juggernautXL_v9Lightning.safetensors [c8df560d29]')).toBe('juggernautXL_v9Lightning');
    expect(checkpointStem('SDXL\\juggernautXL_v9.ckpt')).toBe('juggernautXL_v9');
    expect(checkpointStem('model.v2.safetensors')).toBe('model.v2');
  });

  it('builds a catalogue from the checkpoint list, after the loaded checkpoint', () => {
    const catalogue = catalogueFor([SD15, FLUX, SD15, 'default']);
    expect(catalogue.map((m) => m.id)).toEqual([CURRENT_CHECKPOINT, SD15, FLUX]);
    const [current, sd15, flux] = catalogue;
    expect(current).toEqual(SD_WEBUI_FALLBACK_CATALOGUE[0]);
    expect(current).toMatchObject({ aliases: ['current', 'loaded'], costUsd: 0, lifecycle: 'current' });
    expect(sd15).toMatchObject({
      label: 'v1-5-pruned-emaonly (SD 1.5)',
      aliases: ['v1-5-pruned-emaonly.safetensors', 'v1-5-pruned-emaonly'],
      costUsd: 0,
      style: { promptGrammar: 'tag-list', strengths: ['photoreal', 'anime', 'art'] },
    });
    expect(sd15?.capabilities).toMatchObject({
      sizes: { kind: 'range', min: 256, max: 1024, step: 8 },
      steps: { min: 1, max: 150, default: 25 },
      negativePrompt: true,
      seed: true,
      imageInput: true,
      maxInputImages: 1,
      mask: true,
      strength: true,
      formats: [],
    });
    expect(flux).toMatchObject({ label: 'flux1-dev-bnb-nf4-v2 (Flux)', aliases: ['flux1-dev-bnb-nf4-v2'] });
    expect(flux?.capabilities).toMatchObject({ negativePrompt: false, sizes: { step: 16, maxPixels: 2048 * 1024 } });
    expect(flux?.style.promptGrammar).toBe('natural-language');
  });

  it('maps a request to a txt2img body: checkpoint override, preset settings, -1 for a random seed', () => {
    const sd15 = request('p', { model: SD15, width: 512, height: 768, negativePrompt: 'blurry' });
    expect(txt2imgBody(sd15, presetFor(SD15))).toEqual({
      prompt: sd15.prompt,
      negative_prompt: 'blurry',
      width: 512,
      height: 768,
      steps: 25,
      sampler_name: 'DPM++ 2M',
      scheduler: 'Karras',
      cfg_scale: 7,
      seed: -1,
      batch_size: 1,
      n_iter: 1,
      override_settings: { sd_model_checkpoint: SD15 },
      override_settings_restore_afterwards: true,
    });
    const current = txt2imgBody(request('p', { seed: 7, steps: 12 }), presetFor(CURRENT_CHECKPOINT));
    expect(current).toMatchObject({ seed: 7, steps: 12, negative_prompt: '' });
    expect(current).not.toHaveProperty('override_settings');
    expect(current).not.toHaveProperty('override_settings_restore_afterwards');
  });

  it('reads the useful part of FastAPI, WebUI, and tunnel error bodies', () => {
    const fastapi = {
      detail: [{ type: 'int_parsing', loc: ['body', 'steps'], msg: 'Input should be a valid integer', input: 'x' }],
    };
    expect(errorDetail(JSON.stringify(fastapi))).toBe('steps: Input should be a valid integer');
    expect(
      errorDetail(
        JSON.stringify({ error: 'HTTPException', detail: 'Incorrect username or password', body: '', errors: '' }),
      ),
    ).toBe('Incorrect username or password');
    expect(
      errorDetail(JSON.stringify({ error: 'OutOfMemoryError', detail: '', body: '', errors: 'CUDA out of memory' })),
    ).toBe('OutOfMemoryError: CUDA out of memory');
    expect(errorDetail('<html><head><title>Bad gateway | Cloudflare</title></head><body>…</body></html>')).toBe(
      'Bad gateway | Cloudflare',
    );
    expect(errorDetail('error code: 1033')).toBe('error code: 1033');
  });
});

describe('discover', () => {
  it('lists the checkpoint titles from /sdapi/v1/sd-models, with HTTP Basic', async () => {
    const list = await titles();
    // Six real checkpoints and a fork's entry without filename; the entry without a title is skipped.
    expect(list).toHaveLength(7);
    expect(list.at(-1)).toBe('odd-fork-model.ckpt');
    expect(list[0]).toMatch(/^v1-5-pruned-emaonly\.safetensors \[[0-9a-f]{10}\]$/);
    expect(list).toContain('ponyDiffusionV6XL_v6.safetensors'); // no hash computed yet: a bare title
    expect(catalogueFor(list).map((m) => familyOf(m.id))).toEqual([
      'default',
      'sd15',
      'sdxl',
      'sdxl-lightning',
      'flux',
      'sd3',
      'sdxl',
      'sd15',
    ]);
    const requests = await fake<Received[]>('/__fake/requests');
    const listing = requests.filter((r) => r.path === '/sdapi/v1/sd-models').at(-1);
    expect(listing?.headers.authorization).toBe(`Basic ${BASIC}`);
  });

  it('skips a malformed entry and carries on: the provider stays available and generates', async () => {
    const sd = provider();
    const statuses = await providerStatuses(env.DB, { providers: new Map([['sd-webui', sd]]) }, { refresh: true });
    expect(statuses.get('sd-webui')).toMatchObject({ available: true, reason: null });
    expect(statuses.get('sd-webui')?.discovered).toHaveLength(7);
    const image = await sd.generate(request('a lighthouse after the list had an odd entry'), ctx());
    expect(image.contentType).toBe('image/png');
  });

  it('fails as auth_failed with a wrong password, without echoing it', async () => {
    const error = await failure(provider({ auth: 'sduser:wrong-password' }).discover(AbortSignal.timeout(5_000)));
    expect(error).toMatchObject({ retryable: false, code: 'auth_failed' });
    expect(error.message).toContain('Incorrect username or password');
    expect(error.message).not.toContain('wrong-password');
  });

  it('builds its catalogue from checkpoints given to it, or falls back to the loaded checkpoint', async () => {
    const list = await titles();
    expect(provider({ checkpoints: list }).catalogue.map((m) => m.id)).toEqual([CURRENT_CHECKPOINT, ...list]);
    expect(provider().catalogue).toEqual(SD_WEBUI_FALLBACK_CATALOGUE);
    expect(provider().defaultModel).toBe(CURRENT_CHECKPOINT);
    expect(provider().timeoutMs).toBe(600_000);
  });
});

describe('generate', () => {
  it('sends the preset for the checkpoint and keeps the seed, size and what the WebUI ran', async () => {
    const sd15 = (await titles())[0]!;
    const req = request('a lighthouse', { model: sd15, seed: 1234, negativePrompt: 'blurry', width: 64, height: 48 });
    const image = await provider().generate(req, ctx());

    const [received] = await sent(req.prompt);
    expect(received?.headers).toMatchObject({ authorization: `Basic ${BASIC}`, 'content-type': 'application/json' });
    expect(received?.json).toEqual({
      prompt: req.prompt,
      negative_prompt: 'blurry',
      width: 64,
      height: 48,
      steps: 25,
      sampler_name: 'DPM++ 2M',
      scheduler: 'Karras',
      cfg_scale: 7,
      seed: 1234,
      batch_size: 1,
      n_iter: 1,
      override_settings: { sd_model_checkpoint: sd15 },
      override_settings_restore_afterwards: true,
    });
    expect(image).toMatchObject({
      contentType: 'image/png',
      width: 64,
      height: 48,
      model: sd15,
      seed: 1234,
      revisedPrompt: null,
    });
    expect([...image.bytes.slice(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    // The fake falls back to 'Euler'/'Automatic' for names the WebUI does not know, so these prove ours are real.
    expect(image.metadata).toMatchObject({
      checkpoint: 'v1-5-pruned-emaonly',
      sampler: 'DPM++ 2M',
      scheduler: 'Karras',
      steps: 25,
      cfgScale: 7,
    });
    expect(image.metadata?.infotext).toContain('Seed: 1234');
    expect(image.metadata?.infotext).toContain('Schedule type: Karras');
  });

  it('sends -1 for a random seed and reads the seed it used back from info', async () => {
    const req = request('random seed');
    const image = await provider().generate(req, ctx());
    const [received] = await sent(req.prompt);
    expect(received?.json?.seed).toBe(-1);
    expect(image.seed).toEqual(expect.any(Number));
    expect(image.seed).toBeGreaterThanOrEqual(0);
    expect(image.metadata?.infotext).toContain(`Seed: ${image.seed}`);
  });

  it('sends no checkpoint override for the loaded checkpoint', async () => {
    const req = request('current checkpoint', { steps: 9 });
    const image = await provider().generate(req, ctx());
    const [received] = await sent(req.prompt);
    expect(received?.json).not.toHaveProperty('override_settings');
    expect(received?.json).toMatchObject({ steps: 9, sampler_name: 'DPM++ 2M', scheduler: 'Automatic', cfg_scale: 7 });
    expect(image).toMatchObject({ model: CURRENT_CHECKPOINT, metadata: { checkpoint: 'v1-5-pruned-emaonly' } });
  });

  it('runs Flux with CFG 1, Forge distilled CFG 3.5, Euler/Simple and no negative prompt', async () => {
    const flux = (await titles()).find((t) => t.startsWith('flux1-dev'))!;
    const req = request('a lighthouse at dusk', { model: flux, negativePrompt: 'blurry', steps: 8 });
    const image = await provider().generate(req, ctx());
    const [received] = await sent(req.prompt);
    expect(received?.json).toMatchObject({
      negative_prompt: '',
      steps: 8,
      cfg_scale: 1,
      distilled_cfg_scale: 3.5,
      sampler_name: 'Euler',
      scheduler: 'Simple',
      override_settings: { sd_model_checkpoint: flux },
    });
    expect(image.metadata).toMatchObject({
      checkpoint: 'flux1-dev-bnb-nf4-v2',
      sampler: 'Euler',
      scheduler: 'Simple',
      distilledCfgScale: 3.5,
    });
  });

  it('runs SDXL Lightning with its few-step preset', async () => {
    const lightning = (await titles()).find((t) => t.includes('Lightning'))!;
    const req = request('lightning', { model: lightning });
    const image = await provider().generate(req, ctx());
    const [received] = await sent(req.prompt);
    expect(received?.json).toMatchObject({
      steps: 6,
      cfg_scale: 1.5,
      sampler_name: 'DPM++ SDE',
      scheduler: 'SGM Uniform',
    });
    expect(image.metadata).toMatchObject({ checkpoint: 'juggernautXL_v9Lightning', sampler: 'DPM++ SDE' });
  });

  it('reports the size of the image it got, not the one it asked for', async () => {
    const image = await provider().generate(request('odd size', { width: 100, height: 72 }), ctx());
    expect(image).toMatchObject({ width: 96, height: 72 }); // the WebUI rounds sides down to multiples of 8
  });

  it('takes a large image out of the answer whole, and skips the inputs img2img echoes back', async () => {
    const big = await provider().generate(
      request(`FAKE:noisy ${crypto.randomUUID()}`, { width: 512, height: 512 }),
      ctx(),
    );
    expect(big).toMatchObject({ contentType: 'image/png', width: 512, height: 512, seed: expect.any(Number) });
    expect(big.bytes.byteLength).toBeGreaterThan(512 * 512 * 3);
    expect(isWholePng(big.bytes)).toBe(true);
    // A source far over the inline limit, which the answer's `parameters` repeats as init_images.
    const source = new Uint8Array(300_000);
    crypto.getRandomValues(source.subarray(0, 65_536));
    source.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const images = [{ bytes: source, contentType: 'image/png', width: 512, height: 512 }];
    const edited = await provider().generate(
      request(`FAKE:noisy ${crypto.randomUUID()}`, { width: 512, height: 512, images, strength: 0.5 }),
      ctx(),
    );
    expect(isWholePng(edited.bytes)).toBe(true);
    // info, which comes after the skipped parameters, is read as before.
    expect(edited.metadata).toMatchObject({
      webuiVersion: expect.any(String),
      infotext: expect.stringContaining('Size: 512x512'),
    });
  });

  it('refuses a checkpoint the WebUI does not have instead of returning the fallback it ran', async () => {
    const error = await failure(provider().generate(request('missing model', { model: 'nope.safetensors' }), ctx()));
    expect(error).toMatchObject({ retryable: false, code: 'model_not_found' });
    expect(error.message).toContain('nope.safetensors');
  });

  it('sends the Cloudflare Access service token when configured', async () => {
    const req = request('behind access');
    await provider({ accessClientId: 'client-id.access', accessClientSecret: 'access-secret-value' }).generate(
      req,
      ctx(),
    );
    const [received] = await sent(req.prompt);
    expect(received?.headers).toMatchObject({
      'cf-access-client-id': 'client-id.access',
      'cf-access-client-secret': 'access-secret-value',
    });

    const plain = request('no access');
    await provider().generate(plain, ctx());
    const [without] = await sent(plain.prompt);
    expect(without?.headers).not.toHaveProperty('cf-access-client-id');
  });

  it('polls progress while generating and stops when done', async () => {
    const seen: number[] = [];
    const req = request('FAKE:slow');
    await provider({ progressIntervalMs: 100 }).generate(req, { ...ctx(), onProgress: async (p) => void seen.push(p) });
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.every((p) => p > 0 && p <= 1)).toBe(true);
    expect(seen.some((p) => p < 1)).toBe(true);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen); // only ever forward
    const polls = async () =>
      (await fake<Received[]>('/__fake/requests')).filter((r) => r.path === '/sdapi/v1/progress');
    const after = await polls();
    expect(after.at(-1)?.query).toEqual({ skip_current_image: 'true' });
    expect(after.at(-1)?.headers.authorization).toBe(`Basic ${BASIC}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await polls()).length).toBe(after.length);
  });

  it('finishes the job when reporting progress fails', async () => {
    const image = await provider({ progressIntervalMs: 100 }).generate(request('FAKE:slow progress fails'), {
      ...ctx(),
      onProgress: () => Promise.reject(new Error('D1 is down')),
    });
    expect(image.contentType).toBe('image/png');
  });
});

describe('failures', () => {
  it.each([
    ['FAKE:rate_limit', true, 'rate_limited', 'error code: 1015'],
    ['FAKE:server_error', true, 'provider_unavailable', 'CUDA out of memory'],
    ['FAKE:tunnel_down', true, 'provider_unavailable', 'HTTP 530'],
    ['FAKE:bad_request', false, 'provider_rejected', 'steps: Input should be a valid integer'],
    ['FAKE:access_login', false, 'auth_failed', 'Cloudflare Access'],
    ['FAKE:malformed', false, 'malformed_response', 'not PNG'],
    ['FAKE:no_image', false, 'malformed_response', 'no image'],
    ['FAKE:bad_encoding', false, 'malformed_response', 'base64'],
  ])('%s → retryable %s, %s', async (mode, retryable, code, text) => {
    const error = await failure(provider().generate(request(mode), ctx()));
    expect(error).toMatchObject({ retryable, code });
    expect(error.message).toContain(text);
  });

  it('classifies a pydantic validation error as a non-retryable bad request', async () => {
    const error = await failure(provider().generate(request('fractional steps', { steps: 2.5 }), ctx()));
    expect(error).toMatchObject({ retryable: false, code: 'provider_rejected' });
    expect(error.message).toContain('HTTP 422');
    expect(error.message).toContain('steps: Input should be a valid integer, got a number with a fractional part');
  });

  it('retries a flaky tunnel: 502 is retryable, then the call works', async () => {
    const req = request('FAKE:flaky:1');
    const first = await failure(provider().generate(req, ctx()));
    expect(first).toMatchObject({ retryable: true, code: 'provider_unavailable' });
    expect(first.message).toContain('Bad gateway');
    expect((await provider().generate(req, ctx())).contentType).toBe('image/png');
  });

  it('is auth_failed without credentials or with the wrong password, never echoing them', async () => {
    const none = await failure(provider({ auth: undefined }).generate(request('no auth'), ctx()));
    expect(none).toMatchObject({ retryable: false, code: 'auth_failed' });
    expect(none.message).toContain('Not authenticated');
    const wrong = await failure(provider({ auth: `sduser:${PASSWORD}-typo` }).generate(request('wrong auth'), ctx()));
    expect(wrong).toMatchObject({ retryable: false, code: 'auth_failed' });
    expect(wrong.message).toContain('Incorrect username or password');
  });

  it('times out on the caller signal and on its own timeout, retryably', async () => {
    const byCaller = await failure(provider().generate(request('FAKE:hang'), ctx(AbortSignal.timeout(300))));
    expect(byCaller).toMatchObject({ retryable: true, code: 'timeout' });
    const byOwn = await failure(provider({ timeoutMs: 300 }).generate(request('FAKE:hang'), ctx()));
    expect(byOwn).toMatchObject({ retryable: true, code: 'timeout' });
  });

  it('is retryable when the WebUI cannot be reached', async () => {
    const error = await failure(provider({ url: 'http://127.0.0.1:9' }).generate(request('unreachable'), ctx()));
    expect(error).toMatchObject({ retryable: true, code: 'provider_unreachable' });
  });
});
