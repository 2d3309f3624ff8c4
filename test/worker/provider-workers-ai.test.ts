/** Workers AI through a fake AI binding that returns each documented output shape. */
import { describe, expect, it } from 'vitest';
import { planRequest } from '../../src/providers/plan';
import type { GenerationRequest } from '../../src/providers/types';
import { type AiBinding, buildInputs, WorkersAiProvider } from '../../src/providers/workers-ai';
import { WORKERS_AI_MODELS } from '../../src/providers/workers-ai-models';

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46]);
const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

/** Records every call and answers as the real models do; any model it does not know is an error. */
class FakeAi implements AiBinding {
  calls: Array<{ model: string; inputs: Record<string, unknown> }> = [];
  constructor(private readonly fail?: Error) {}
  async run(model: string, inputs: Record<string, unknown>) {
    this.calls.push({ model, inputs });
    if (this.fail) throw this.fail;
    switch (model) {
      case '@cf/black-forest-labs/flux-1-schnell':
        return { image: base64(JPEG) };
      case '@cf/bytedance/stable-diffusion-xl-lightning':
      case '@cf/stabilityai/stable-diffusion-xl-base-1.0':
        return new ReadableStream({
          start(c) {
            c.enqueue(PNG);
            c.close();
          },
        });
      case '@cf/leonardo/phoenix-1.0':
        return new Response(JPEG);
      case '@cf/leonardo/lucid-origin':
        return { image: base64(JPEG) };
      case '@cf/black-forest-labs/flux-2-dev':
      case '@cf/black-forest-labs/flux-2-klein-4b':
      case '@cf/black-forest-labs/flux-2-klein-9b':
        return { image: base64(PNG) };
      default:
        throw new Error(`AiError: No such model ${model} or task`);
    }
  }
  async models() {
    return WORKERS_AI_MODELS.slice(0, 3).map((m) => ({ name: m.id }));
  }
}

function plan(model: string, input: Record<string, unknown> = {}): GenerationRequest {
  const info = WORKERS_AI_MODELS.find((m) => m.id === model || m.aliases?.includes(model))!;
  return planRequest(info, { prompt: 'a lighthouse', ...input }).request;
}

const signal = () => ({ signal: new AbortController().signal });

describe('Workers AI provider', () => {
  it('keeps the friendly names of the original Workers server', () => {
    expect(plan('flux-schnell').model).toBe('@cf/black-forest-labs/flux-1-schnell');
    expect(plan('sdxl-lightning').model).toBe('@cf/bytedance/stable-diffusion-xl-lightning');
    expect(plan('sdxl-base').model).toBe('@cf/stabilityai/stable-diffusion-xl-base-1.0');
  });

  it.each([
    ['@cf/black-forest-labs/flux-1-schnell', 'image/jpeg'],
    ['@cf/bytedance/stable-diffusion-xl-lightning', 'image/png'],
    ['@cf/stabilityai/stable-diffusion-xl-base-1.0', 'image/png'],
    ['@cf/black-forest-labs/flux-2-dev', 'image/png'],
    ['@cf/black-forest-labs/flux-2-klein-4b', 'image/png'],
    ['@cf/leonardo/lucid-origin', 'image/jpeg'],
    ['@cf/leonardo/phoenix-1.0', 'image/jpeg'],
  ])('%s: normalises its output shape and records the true type %s', async (model, type) => {
    const ai = new FakeAi();
    const image = await new WorkersAiProvider(ai).generate(plan(model, { seed: 5 }), signal());
    expect(image.contentType).toBe(type);
    expect(image.bytes.length).toBeGreaterThan(4);
    expect(image.seed).toBe(5);
    expect(ai.calls[0]?.model).toBe(model);
  });

  it('sends JSON to FLUX.1 schnell with steps and seed, and no size it does not take', () => {
    const model = WORKERS_AI_MODELS.find((m) => m.aliases?.includes('flux-schnell'))!;
    expect(buildInputs(model, plan('flux-schnell', { seed: 9, steps: 6 }))).toEqual({
      prompt: 'a lighthouse',
      seed: 9,
      steps: 6,
    });
  });

  it('sends SDXL its size, negative prompt and num_steps', () => {
    const model = WORKERS_AI_MODELS.find((m) => m.aliases?.includes('sdxl-base'))!;
    const inputs = buildInputs(model, plan('sdxl-base', { width: 768, height: 512, negative_prompt: 'blur', seed: 1 }));
    expect(inputs).toEqual({
      prompt: 'a lighthouse',
      width: 768,
      height: 512,
      negative_prompt: 'blur',
      seed: 1,
      num_steps: 20,
    });
  });

  it('sends FLUX.2 multipart form data even for a prompt alone', async () => {
    const model = WORKERS_AI_MODELS.find((m) => m.id === '@cf/black-forest-labs/flux-2-klein-4b')!;
    const inputs = buildInputs(model, plan(model.id, { width: 512, height: 512 })) as {
      multipart: { body: ReadableStream; contentType: string };
    };
    expect(inputs.multipart.contentType).toMatch(/^multipart\/form-data; boundary=/);
    const form = await new Response(inputs.multipart.body, {
      headers: { 'content-type': inputs.multipart.contentType },
    }).formData();
    expect(form.get('prompt')).toBe('a lighthouse');
    expect(form.get('width')).toBe('512');
    expect(form.get('steps')).toBeNull(); // klein models have fixed steps
  });

  it('refuses limits before the call: steps out of range, prompt too long', () => {
    expect(() => plan('flux-schnell', { steps: 20 })).toThrow(/steps 20 is outside .* 1–8/);
    expect(() => plan('flux-schnell', { prompt: 'x'.repeat(3000) })).toThrow(/at most 2048/);
  });

  it('adapts what FLUX.1 schnell cannot do and says so', () => {
    const info = WORKERS_AI_MODELS.find((m) => m.aliases?.includes('flux-schnell'))!;
    const { adaptations, request } = planRequest(info, {
      prompt: 'x',
      negative_prompt: 'blur',
      width: 512,
      height: 768,
    });
    expect(request.negativePrompt).toBeNull();
    expect(adaptations.join('\n')).toMatch(/negative_prompt ignored/);
    expect(adaptations.join('\n')).toMatch(/512x768 is not offered .* using 1024x1024/);
  });

  it.each([
    ['3040: Capacity temporarily exceeded, please try again.', true, 'provider_unavailable'],
    ['AiError: Input flagged as NSFW by the content filter', false, 'content_policy'],
    ['Binding AI needs to be run remotely', false, 'provider_unusable'],
    ["AiError: Type mismatch of '/width', 'string' not in 'integer'", false, 'provider_rejected'],
  ])('classifies "%s"', async (message, retryable, code) => {
    const error = await new WorkersAiProvider(new FakeAi(new Error(message)))
      .generate(plan('flux-schnell'), signal())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ retryable, code });
  });

  it('fails a response without an image as malformed, without crashing', async () => {
    const ai: AiBinding = { run: async () => ({ nothing: true }) };
    await expect(new WorkersAiProvider(ai).generate(plan('flux-schnell'), signal())).rejects.toMatchObject({
      retryable: false,
      code: 'malformed_response',
    });
    const text: AiBinding = { run: async () => ({ image: base64(new TextEncoder().encode('not an image')) }) };
    await expect(new WorkersAiProvider(text).generate(plan('flux-schnell'), signal())).rejects.toMatchObject({
      code: 'malformed_response',
    });
  });

  it('discovers its text-to-image models through the binding', async () => {
    expect(await new WorkersAiProvider(new FakeAi()).discover()).toEqual(
      WORKERS_AI_MODELS.slice(0, 3).map((m) => m.id),
    );
  });
});
