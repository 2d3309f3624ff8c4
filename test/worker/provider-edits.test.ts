/**
 * Image-to-image below the tool: the mask conventions, the size an edit gets, routing to models that can
 * edit, and what each provider's request carries (Workers AI through a fake binding; the HTTP providers'
 * wire formats as pure functions, end to end in edit-image.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { coverageScanlines, maskCoverage, prepareMask, REPAINT } from '../../src/images/mask';
import { buildGeminiRequest } from '../../src/providers/gemini';
import { toEditParams } from '../../src/providers/openai';
import { OPENAI_MODELS } from '../../src/providers/openai-models';
import { PLACEHOLDER_MODEL } from '../../src/providers/placeholder';
import { planRequest, sizeFromSource } from '../../src/providers/plan';
import { type Candidate, route } from '../../src/providers/routing';
import { img2imgBody } from '../../src/providers/sd-webui-models';
import { PRESETS } from '../../src/providers/sd-webui-presets';
import type { GenerationRequest, InputImage } from '../../src/providers/types';
import { buildInputs } from '../../src/providers/workers-ai';
import { WORKERS_AI_MODELS } from '../../src/providers/workers-ai-models';

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);
const image = (bytes = PNG): InputImage => ({ bytes, contentType: 'image/png', width: 64, height: 64 });
const MASK = { opaque: image(Uint8Array.from([...PNG, 9])), alpha: image(Uint8Array.from([...PNG, 8])) };

function request(model: string, overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  return {
    prompt: 'make it snow',
    negativePrompt: null,
    model,
    width: 512,
    height: 512,
    aspectRatio: null,
    resolution: null,
    seed: 7,
    steps: null,
    quality: null,
    outputFormat: null,
    background: null,
    images: [image()],
    ...overrides,
  };
}

const workersAi = (id: string) => WORKERS_AI_MODELS.find((m) => m.id === id)!;

describe('masks', () => {
  const rgba = (...pixels: number[][]) => Uint8Array.from(pixels.flat());

  it('reads transparency when the mask has any, otherwise light areas, as the places to repaint', () => {
    expect([...maskCoverage(rgba([0, 0, 0, 0], [255, 255, 255, 255], [9, 9, 9, 100]))]).toEqual([REPAINT, 0, REPAINT]);
    expect([...maskCoverage(rgba([255, 255, 255, 255], [0, 0, 0, 255], [200, 200, 200, 255]))]).toEqual([
      REPAINT,
      0,
      REPAINT,
    ]);
  });

  it('writes both conventions: white on black, and transparent on opaque', async () => {
    const coverage = Uint8Array.from([REPAINT, 0, 0, REPAINT]);
    expect([...coverageScanlines(coverage, 2, 'opaque')]).toEqual([0, 255, 0, 0, 0, 255]);
    expect([...coverageScanlines(coverage, 2, 'alpha')]).toEqual([0, 0, 0, 0, 255, 0, 0, 255, 0, 0]);
    // As decoders read them: the opaque mask white where to repaint, the other transparent there.
    const { PhotonImage } = await import('../../src/images/photon');
    const source = new PhotonImage(Uint8Array.from([0, 0, 0, 0, 9, 9, 9, 255, 9, 9, 9, 255, 0, 0, 0, 0]), 2, 2);
    const mask = await prepareMask(source.get_bytes(), 2, 2);
    source.free();
    const pixels = (png: Uint8Array) => {
      const image = PhotonImage.new_from_byteslice(png);
      try {
        return [...image.get_raw_pixels()];
      } finally {
        image.free();
      }
    };
    expect(pixels(mask.opaque.bytes)).toEqual([255, 255, 255, 255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 255]);
    expect(pixels(mask.alpha.bytes)).toEqual([0, 0, 0, 0, 0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 0]);
  });

  it('refuses a mask that marks nothing and bytes that are no image', async () => {
    const { PhotonImage } = await import('../../src/images/photon');
    const black = new PhotonImage(
      new Uint8Array(4 * 4 * 4).fill(255).map((v, i) => (i % 4 === 3 ? v : 0)),
      4,
      4,
    );
    await expect(prepareMask(black.get_bytes(), 4, 4)).rejects.toThrow(/marks nothing to repaint/);
    black.free();
    await expect(prepareMask(Uint8Array.from([1, 2, 3]), 4, 4)).rejects.toBeTruthy();
  });
});

describe('the size of an edit', () => {
  it("keeps the source's size where the model makes it, else asks for its shape", () => {
    const range = { kind: 'range', min: 64, max: 2048, step: 8 } as const;
    expect(sizeFromSource({ prompt: 'x' }, { width: 640, height: 480 }, range)).toMatchObject({
      width: 640,
      height: 480,
    });
    expect(sizeFromSource({ prompt: 'x' }, { width: 4000, height: 3000 }, range)).toMatchObject({
      aspect_ratio: '4000:3000',
    });
    expect(sizeFromSource({ prompt: 'x', width: 256 }, { width: 640, height: 480 }, range)).toEqual({
      prompt: 'x',
      width: 256,
    });
    const gpt = OPENAI_MODELS[0]!;
    const planned = planRequest(
      gpt,
      sizeFromSource({ prompt: 'x' }, { width: 1600, height: 900 }, gpt.capabilities.sizes),
    );
    expect([planned.request.width, planned.request.height]).toEqual([1536, 864]);
  });
});

describe('routing an edit', () => {
  const candidate = (id: string, catalogue: Candidate['catalogue']): Candidate => ({
    id,
    catalogue,
    defaultModel: catalogue[0]!.id,
    available: true,
  });
  const textOnly = candidate('workers-ai', [workersAi('@cf/black-forest-labs/flux-1-schnell')]);
  const editors = candidate('workers-ai', WORKERS_AI_MODELS);
  const base = { prompt: 'snow', wantsNegativePrompt: false, allowPaid: false, paidProviders: [] };

  it('skips providers whose models cannot take the images and mask', () => {
    const chosen = route({ ...base, provider: 'auto', edit: { images: 1, mask: true } }, [
      editors,
      candidate('placeholder', [PLACEHOLDER_MODEL]),
    ]);
    expect(chosen.model.id).toBe('@cf/runwayml/stable-diffusion-v1-5-inpainting');
    const fallback = route({ ...base, provider: 'auto', edit: { images: 1, mask: false } }, [
      textOnly,
      candidate('placeholder', [PLACEHOLDER_MODEL]),
    ]);
    expect(fallback.providerId).toBe('placeholder');
    expect(fallback.reason).toMatch(/workers-ai cannot edit a source image/);
  });

  it('refuses a model that cannot edit, naming those that can', () => {
    expect(() =>
      route({ ...base, provider: 'workers-ai', model: 'flux-schnell', edit: { images: 1, mask: false } }, [
        editors,
        candidate('placeholder', [PLACEHOLDER_MODEL]),
      ]),
    ).toThrow(
      /workers-ai\/@cf\/black-forest-labs\/flux-1-schnell cannot edit a source image\. Models that can: .*workers-ai\/@cf\/runwayml\/stable-diffusion-v1-5-img2img.*placeholder\/placeholder/,
    );
  });
});

describe('edit requests on the wire', () => {
  it('Workers AI SD 1.5: the image and mask as byte arrays, with the strength', () => {
    const inpaint = buildInputs(
      workersAi('@cf/runwayml/stable-diffusion-v1-5-inpainting'),
      request('@cf/runwayml/stable-diffusion-v1-5-inpainting', { mask: MASK, strength: 0.6 }),
    );
    expect(inpaint).toMatchObject({ prompt: 'make it snow', strength: 0.6, num_steps: 20, width: 512, seed: 7 });
    expect(inpaint.image).toEqual([...PNG]);
    expect(inpaint.mask).toEqual([...MASK.opaque.bytes]);
    const img2img = buildInputs(
      workersAi('@cf/runwayml/stable-diffusion-v1-5-img2img'),
      request('@cf/runwayml/stable-diffusion-v1-5-img2img', { mask: MASK }),
    );
    expect(img2img.mask).toBeUndefined();
    expect(img2img.strength).toBeUndefined();
  });

  it('Workers AI FLUX.2: the images as input_image_N files in its multipart form', async () => {
    const id = '@cf/black-forest-labs/flux-2-dev';
    const inputs = buildInputs(workersAi(id), request(id, { images: [image(), image(Uint8Array.from([...PNG, 5]))] }));
    const { body, contentType } = inputs.multipart as { body: ReadableStream; contentType: string };
    const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
    const files = ['input_image_0', 'input_image_1'].map((name) => form.get(name) as File);
    expect(await Promise.all(files.map(async (f) => [...new Uint8Array(await f.arrayBuffer())]))).toEqual([
      [...PNG],
      [...PNG, 5],
    ]);
    expect(form.get('prompt')).toBe('make it snow');
  });

  it('OpenAI: every source as image[], the alpha mask, no strength', async () => {
    const params = await toEditParams(
      request('gpt-image-2.6-sunburst', {
        images: [image(), image()],
        mask: MASK,
        strength: 0.5,
        width: 1024,
        height: 1024,
      }),
    );
    expect(params).toMatchObject({ model: 'gpt-image-2.6-sunburst', size: '1024x1024', n: 1 });
    expect(Array.isArray(params.image) && params.image.length).toBe(2);
    const mask = params.mask as File;
    expect([...new Uint8Array(await mask.arrayBuffer())]).toEqual([...MASK.alpha.bytes]);
    expect(JSON.stringify(Object.keys(params))).not.toMatch(/strength/);
  });

  it('Gemini: the sources as inlineData parts, then the text', () => {
    const params = buildGeminiRequest(request('gemini-nano-banana-2.1', { aspectRatio: '1:1' }));
    expect(params.contents).toEqual([
      {
        role: 'user',
        parts: [
          { inlineData: { mimeType: 'image/png', data: btoa(String.fromCharCode(...PNG)) } },
          { text: 'make it snow' },
        ],
      },
    ]);
  });

  it('SD WebUI: the init image, the WebUI default strength unless given, the inpainting settings with a mask', () => {
    const plain = img2imgBody(request('current'), PRESETS.sd15);
    expect(plain).toMatchObject({ init_images: [btoa(String.fromCharCode(...PNG))], denoising_strength: 0.75 });
    expect(plain.mask).toBeUndefined();
    const masked = img2imgBody(request('current', { mask: MASK, strength: 0.2 }), PRESETS.sd15);
    expect(masked).toMatchObject({ denoising_strength: 0.2, inpainting_fill: 1, inpainting_mask_invert: 0 });
    expect(masked.mask).toBe(btoa(String.fromCharCode(...MASK.opaque.bytes)));
  });
});
