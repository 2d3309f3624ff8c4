/**
 * The Workers AI image catalogue: input limits from the model pages, the shape each model takes
 * (JSON or multipart) and returns (base64 JSON or raw bytes), and which take source images. Friendly names
 * of the original Workers server (flux-schnell, sdxl-lightning, sdxl-base) stay as aliases. Lifecycle: Cloudflare
 * has announced no removal for any of these (its 2026 deprecation batch, "Eighteen older models will be deprecated
 * on May 30, 2026", cloudflare-docs src/content/changelog/workers-ai/2026-05-08-planned-model-deprecations.mdx,
 * lists text models only), so none has a shutdown date; the SDXL models' `legacy` is our reading (FLUX supersedes).
 */
import type { ModelCapabilities, ModelInfo, StyleProfile } from './types';

export type InputShape = 'json' | 'multipart';

export interface WorkersAiModel extends ModelInfo {
  input: InputShape;
  /** Name of the steps field in the model's input schema. */
  stepsField: 'steps' | 'num_steps' | null;
  /** Whether the model takes width/height. */
  sized: boolean;
  guidance: boolean;
}

const base: Omit<ModelCapabilities, 'sizes' | 'steps' | 'negativePrompt' | 'maxPromptChars'> = {
  qualities: [],
  formats: [],
  backgrounds: [],
  seed: true,
  imageInput: false,
  maxInputImages: 0,
  mask: false,
  strength: false,
};

const fluxStyle: StyleProfile = {
  strengths: ['prompt adherence', 'legible short text', 'photoreal and illustrative scenes'],
  promptGrammar: 'natural-language',
  goodExample: 'A weathered fishing boat at dawn, mist over the harbour, soft golden light, 35mm photo',
  badExample: 'boat, harbour, dawn, masterpiece, best quality, 8k',
};

const sdxlStyle: StyleProfile = {
  strengths: ['artistic styles', 'negative prompts', 'fast drafts'],
  promptGrammar: 'tag-list',
  goodExample: 'portrait of an old sailor, oil painting, dramatic lighting, detailed, by rembrandt',
  badExample: 'Could you please draw me a picture of a sailor who looks old and wise?',
};

const leonardoStyle: StyleProfile = {
  strengths: ['photorealism', 'graphic design and text', 'vivid colour'],
  promptGrammar: 'natural-language',
  goodExample: 'Minimalist poster for a jazz night, bold serif title "BLUE NOTE", deep navy and brass tones',
  badExample: 'poster, jazz, text, blue',
};

export const WORKERS_AI_MODELS: readonly WorkersAiModel[] = [
  {
    id: '@cf/black-forest-labs/flux-1-schnell',
    label: 'FLUX.1 [schnell]',
    aliases: ['flux-schnell'],
    lifecycle: 'current',
    input: 'json',
    stepsField: 'steps',
    sized: false,
    guidance: false,
    capabilities: {
      ...base,
      sizes: { kind: 'fixed', sizes: [[1024, 1024]] },
      steps: { min: 1, max: 8, default: 4 },
      negativePrompt: false,
      maxPromptChars: 2048,
    },
    style: fluxStyle,
  },
  {
    id: '@cf/bytedance/stable-diffusion-xl-lightning',
    label: 'SDXL Lightning',
    aliases: ['sdxl-lightning'],
    lifecycle: 'legacy',
    replacement: '@cf/black-forest-labs/flux-1-schnell',
    input: 'json',
    stepsField: 'num_steps',
    sized: true,
    guidance: true,
    capabilities: {
      ...base,
      sizes: { kind: 'range', min: 256, max: 2048, step: 8 },
      steps: { min: 1, max: 20, default: 20 },
      negativePrompt: true,
      maxPromptChars: 2048,
    },
    style: sdxlStyle,
  },
  {
    id: '@cf/stabilityai/stable-diffusion-xl-base-1.0',
    label: 'Stable Diffusion XL base 1.0',
    aliases: ['sdxl-base'],
    lifecycle: 'legacy',
    replacement: '@cf/black-forest-labs/flux-2-dev',
    input: 'json',
    stepsField: 'num_steps',
    sized: true,
    guidance: true,
    capabilities: {
      ...base,
      sizes: { kind: 'range', min: 256, max: 2048, step: 8 },
      steps: { min: 1, max: 20, default: 20 },
      negativePrompt: true,
      maxPromptChars: 2048,
    },
    style: sdxlStyle,
  },
  ...(['flux-2-dev', 'flux-2-klein-4b', 'flux-2-klein-9b'] as const).map(
    (name): WorkersAiModel => ({
      id: `@cf/black-forest-labs/${name}`,
      label: `FLUX.2 [${name.replace('flux-2-', '').replace('-', ' ')}]`,
      aliases: [name],
      lifecycle: 'current',
      // FLUX.2 models take multipart form data, even for a prompt alone.
      input: 'multipart',
      stepsField: name === 'flux-2-dev' ? 'steps' : null,
      sized: true,
      guidance: false,
      capabilities: {
        ...base,
        sizes: { kind: 'range', min: 256, max: 1920, step: 16 },
        // The klein models are distilled to a fixed 4 steps.
        steps: name === 'flux-2-dev' ? { min: 1, max: 50, default: 25 } : null,
        negativePrompt: false,
        imageInput: true,
        maxInputImages: 4,
        maxPromptChars: 2048,
      },
      style: fluxStyle,
    }),
  ),
  // Image-to-image: the source goes in `image` as an array of byte values, the mask likewise in `mask`.
  ...(
    [
      ['img2img', 'Stable Diffusion 1.5 img2img', false],
      ['inpainting', 'Stable Diffusion 1.5 inpainting', true],
    ] as const
  ).map(
    ([task, label, mask]): WorkersAiModel => ({
      id: `@cf/runwayml/stable-diffusion-v1-5-${task}`,
      label,
      aliases: [`sd15-${task}`],
      lifecycle: 'current',
      input: 'json',
      stepsField: 'num_steps',
      sized: true,
      guidance: true,
      capabilities: {
        ...base,
        sizes: { kind: 'range', min: 256, max: 2048, step: 8, default: 512 },
        steps: { min: 1, max: 20, default: 20 },
        negativePrompt: true,
        imageInput: true,
        maxInputImages: 1,
        mask,
        strength: true,
        maxPromptChars: 2048,
      },
      style: { ...sdxlStyle, strengths: ['restyling or repainting part of an existing image', 'negative prompts'] },
    }),
  ),
  {
    id: '@cf/leonardo/lucid-origin',
    label: 'Leonardo Lucid Origin',
    aliases: ['lucid-origin'],
    lifecycle: 'current',
    input: 'json',
    stepsField: 'num_steps',
    sized: true,
    guidance: true,
    capabilities: {
      ...base,
      sizes: { kind: 'range', min: 256, max: 2500, step: 8 },
      steps: { min: 1, max: 40, default: 20 },
      negativePrompt: false,
      maxPromptChars: 2048,
    },
    style: leonardoStyle,
  },
  {
    id: '@cf/leonardo/phoenix-1.0',
    label: 'Leonardo Phoenix 1.0',
    aliases: ['phoenix'],
    lifecycle: 'current',
    input: 'json',
    stepsField: 'num_steps',
    sized: true,
    guidance: true,
    capabilities: {
      ...base,
      sizes: { kind: 'range', min: 256, max: 2048, step: 8 },
      steps: { min: 1, max: 50, default: 25 },
      negativePrompt: true,
      maxPromptChars: 2048,
    },
    style: leonardoStyle,
  },
];
