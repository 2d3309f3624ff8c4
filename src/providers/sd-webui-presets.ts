/**
 * Checkpoint-aware settings for the Stable Diffusion WebUI: the family of a checkpoint is guessed from its
 * name (the WebUI does not report it), and each family gets the size range, steps, CFG, sampler and
 * scheduler its makers or the community recommend, plus a style profile. Pure: no I/O.
 *
 * Sampler and scheduler names are the WebUI's labels (A1111 ≥ 1.9, Forge, reForge: modules/sd_samplers_kdiffusion.py
 * and modules/sd_schedulers.py), e.g. 'DPM++ 2M' + 'Karras'. Older A1111 builds without the `scheduler` field
 * ignore it and use the sampler's default schedule.
 */
import type { ModelCapabilities, ModelInfo, StyleProfile } from './types';

export type Family = 'default' | 'sd15' | 'sdxl' | 'sdxl-lightning' | 'sdxl-turbo' | 'flux' | 'flux-schnell' | 'sd3';

export interface SdPreset {
  family: Family;
  familyLabel: string;
  /** The side the family was trained at; the best default size (the catalogue's range cannot say so). */
  baseSize: number;
  sizes: { min: number; max: number; step: number; maxPixels?: number };
  steps: { min: number; max: number; default: number };
  cfgScale: number;
  /** Forge's "Distilled CFG Scale" for guidance-distilled models (Flux); A1111 ignores the unknown field. */
  distilledCfgScale: number | null;
  sampler: string;
  scheduler: string;
  negativePrompt: boolean;
  style: StyleProfile;
}

/** The catalogue entry meaning "whatever checkpoint the WebUI has loaded": no checkpoint override is sent. */
export const CURRENT_CHECKPOINT = 'default';

const tagStyle: StyleProfile = {
  strengths: ['photoreal', 'anime', 'art'],
  promptGrammar: 'tag-list',
  goodExample:
    'masterpiece, best quality, 1girl, silver hair, red scarf, snowy street at night, bokeh, cinematic lighting',
  badExample: 'Could you please draw me a girl with silver hair walking down a snowy street at night?',
};

const naturalStyle: StyleProfile = {
  strengths: ['photoreal', 'art', 'prompt adherence', 'legible short text'],
  promptGrammar: 'natural-language',
  goodExample:
    'A weathered lighthouse on a rocky cliff at golden hour, storm clouds behind it, a wooden sign reading "KEEP OUT" in the foreground',
  badExample: 'lighthouse, cliff, storm, masterpiece, best quality, 8k, (detailed:1.3)',
};

const STEPS = { min: 1, max: 150 }; // the WebUI's own slider range

const SDXL_SIZES = { min: 512, max: 2048, step: 8 };

export const PRESETS: Readonly<Record<Family, SdPreset>> = {
  // Unknown family: middle-of-the-road settings that suit SD 1.5 and SDXL; pick a named checkpoint for better.
  default: {
    family: 'default',
    familyLabel: 'loaded checkpoint',
    baseSize: 1024,
    sizes: { min: 256, max: 2048, step: 8 },
    steps: { ...STEPS, default: 25 },
    cfgScale: 7,
    distilledCfgScale: null,
    sampler: 'DPM++ 2M',
    scheduler: 'Automatic',
    negativePrompt: true,
    style: tagStyle,
  },
  sd15: {
    family: 'sd15',
    familyLabel: 'SD 1.5',
    baseSize: 512,
    sizes: { min: 256, max: 1024, step: 8 },
    steps: { ...STEPS, default: 25 },
    cfgScale: 7,
    distilledCfgScale: null,
    sampler: 'DPM++ 2M',
    scheduler: 'Karras',
    negativePrompt: true,
    style: tagStyle,
  },
  sdxl: {
    family: 'sdxl',
    familyLabel: 'SDXL',
    baseSize: 1024,
    sizes: SDXL_SIZES,
    steps: { ...STEPS, default: 30 },
    cfgScale: 6.5,
    distilledCfgScale: null,
    sampler: 'DPM++ 2M',
    scheduler: 'Karras',
    negativePrompt: true,
    style: tagStyle,
  },
  // ByteDance's reference is Euler + sgm_uniform at CFG 1; the community's A1111 recipe is DPM++ SDE with
  // SGM Uniform at CFG 1–2. CFG above 1 keeps the negative prompt working. Step counts follow the 4/8-step
  // variants; 2-step checkpoints exist but are rare.
  'sdxl-lightning': {
    family: 'sdxl-lightning',
    familyLabel: 'SDXL Lightning',
    baseSize: 1024,
    sizes: SDXL_SIZES,
    steps: { min: 4, max: 8, default: 6 },
    cfgScale: 1.5,
    distilledCfgScale: null,
    sampler: 'DPM++ SDE',
    scheduler: 'SGM Uniform',
    negativePrompt: true,
    style: tagStyle,
  },
  // Turbo and Hyper merges (e.g. DreamShaper XL Turbo) recommend DPM++ SDE Karras, 4–8 steps, CFG about 2.
  'sdxl-turbo': {
    family: 'sdxl-turbo',
    familyLabel: 'SDXL Turbo/Hyper',
    baseSize: 1024,
    sizes: SDXL_SIZES,
    steps: { min: 4, max: 8, default: 6 },
    cfgScale: 2,
    distilledCfgScale: null,
    sampler: 'DPM++ SDE',
    scheduler: 'Karras',
    negativePrompt: true,
    style: tagStyle,
  },
  // Forge's own Flux defaults (modules_forge/main_entry.py): CFG 1, Distilled CFG 3.5, Euler, Simple.
  // At CFG 1 there is no unconditional pass, so a negative prompt has no effect. BFL: 0.1–2 megapixels,
  // sides in multiples of 16.
  flux: {
    family: 'flux',
    familyLabel: 'Flux',
    baseSize: 1024,
    sizes: { min: 256, max: 2048, step: 16, maxPixels: 2048 * 1024 },
    steps: { ...STEPS, default: 20 },
    cfgScale: 1,
    distilledCfgScale: 3.5,
    sampler: 'Euler',
    scheduler: 'Simple',
    negativePrompt: false,
    style: naturalStyle,
  },
  // Schnell is timestep-distilled for 1–4 steps and ignores guidance; Forge still shows the distilled CFG.
  'flux-schnell': {
    family: 'flux-schnell',
    familyLabel: 'Flux schnell',
    baseSize: 1024,
    sizes: { min: 256, max: 2048, step: 16, maxPixels: 2048 * 1024 },
    steps: { min: 1, max: 8, default: 4 },
    cfgScale: 1,
    distilledCfgScale: 3.5,
    sampler: 'Euler',
    scheduler: 'Simple',
    negativePrompt: false,
    style: naturalStyle,
  },
  // A1111 1.10 release notes: SD3 support, "Recommended Euler sampler". 28 steps and CFG 4.5 with
  // sgm_uniform are Stability's ComfyUI reference for SD3 Medium (SD 3.5 Large prefers CFG ~3.5–4.5).
  // Uncertain: whether A1111's 'Automatic' schedule would serve SD3 as well as 'SGM Uniform'.
  sd3: {
    family: 'sd3',
    familyLabel: 'SD3',
    baseSize: 1024,
    sizes: { min: 512, max: 2048, step: 16, maxPixels: 2048 * 1024 },
    steps: { ...STEPS, default: 28 },
    cfgScale: 4.5,
    distilledCfgScale: null,
    sampler: 'Euler',
    scheduler: 'SGM Uniform',
    negativePrompt: true,
    style: naturalStyle,
  },
};

/**
 * The family of a checkpoint from its title, e.g. "SDXL/juggernautXL_v9.safetensors [c9e3e68f89]". A guess
 * from naming conventions: fine-tunes usually carry their base in the name (XL, Pony, Illustrious, Flux).
 */
export function familyOf(checkpoint: string): Family {
  const name = checkpoint.toLowerCase();
  if (name === CURRENT_CHECKPOINT) return 'default';
  if (name.includes('flux')) return name.includes('schnell') ? 'flux-schnell' : 'flux';
  if (/\bsd[-_ ]?3|stable[-_ ]?diffusion[-_ ]?3/.test(name)) return 'sd3';
  if (name.includes('lightning')) return 'sdxl-lightning';
  if (/turbo|hyper/.test(name)) return 'sdxl-turbo';
  if (/xl|pony|illustrious|noob/.test(name)) return 'sdxl';
  return 'sd15';
}

export function presetFor(checkpoint: string): SdPreset {
  return PRESETS[familyOf(checkpoint)];
}

/**
 * The file's stem, as the WebUI reports the checkpoint it ran (`sd_model_name` in a result's info):
 * no folder, no " [hash]", no extension.
 */
export function checkpointStem(checkpoint: string): string {
  const name = checkpoint.replace(/\s*\[[0-9a-f]+\]$/i, '');
  const file = name.split(/[\\/]/).pop() ?? name;
  return file.replace(/\.(safetensors|ckpt|pt|pth|bin|gguf|sft)$/i, '');
}

function capabilities(preset: SdPreset): ModelCapabilities {
  return {
    sizes: { kind: 'range', ...preset.sizes, default: preset.baseSize },
    qualities: [],
    formats: [], // the WebUI encodes with its own "samples_format" setting
    backgrounds: [],
    negativePrompt: preset.negativePrompt,
    seed: true,
    steps: preset.steps,
    // img2img: one init image, an inpainting mask and denoising_strength.
    imageInput: true,
    maxInputImages: 1,
    mask: true,
    strength: true,
    // No hard limit (prompts are split into 75-token chunks); long prompts dilute each other.
    maxPromptChars: 2000,
  };
}

export function modelInfoFor(checkpoint: string): ModelInfo {
  const preset = presetFor(checkpoint);
  if (checkpoint === CURRENT_CHECKPOINT) {
    return {
      id: CURRENT_CHECKPOINT,
      label: "The WebUI's currently loaded checkpoint",
      aliases: ['current', 'loaded'],
      lifecycle: 'current',
      capabilities: capabilities(preset),
      style: preset.style,
      costUsd: 0,
    };
  }
  const stem = checkpointStem(checkpoint);
  const withoutHash = checkpoint.replace(/\s*\[[0-9a-f]+\]$/i, '');
  const aliases = [...new Set([withoutHash, stem])].filter((alias) => alias !== checkpoint);
  return {
    id: checkpoint,
    label: `${stem} (${preset.familyLabel})`,
    ...(aliases.length > 0 && { aliases }),
    lifecycle: 'current',
    capabilities: capabilities(preset),
    style: preset.style,
    costUsd: 0,
  };
}

/** Used when the WebUI's model list is unavailable: just the loaded checkpoint. */
export const SD_WEBUI_FALLBACK_CATALOGUE: readonly ModelInfo[] = [modelInfoFor(CURRENT_CHECKPOINT)];

/** The catalogue for the checkpoints the WebUI lists (titles from /sdapi/v1/sd-models), after the loaded one. */
export function catalogueFor(checkpoints: readonly string[]): ModelInfo[] {
  const titles = [...new Set(checkpoints)].filter((title) => title && title !== CURRENT_CHECKPOINT);
  return [...SD_WEBUI_FALLBACK_CATALOGUE, ...titles.map(modelInfoFor)];
}
