/**
 * The Gemini native image models ("Nano Banana"), as of the Gemini API docs and changelog of October 2026:
 * Nano Banana 2.1 (GA 2026-10-06) replaces Nano Banana 2 (gemini-3.1-flash-image, deprecated the same day);
 * Nano Banana Pro and Nano Banana 2 Lite are current; the original Nano Banana (gemini-2.5-flash-image) is
 * served only to projects that already used it ("not deprecated and continue to be served until further
 * notice", changelog of 2026-09-18), so it is legacy with no date. Neither deprecated model has a shutdown date
 * ("no shutdown date announced yet", changelog of 2026-10-06). Shut down, and kept as names that run on their
 * replacement (https://ai.google.dev/gemini-api/docs/deprecations and /changelog):
 * - gemini-3.1-flash-image-preview and gemini-3-pro-image-preview on 2026-06-25 ("June 25, 2026", replacements
 *   gemini-3.1-flash-image and gemini-3-pro-image);
 * - gemini-2.5-flash-image-preview on 2026-01-15 ("has been shut down"), replaced by gemini-2.5-flash-image;
 * - gemini-2.0-flash-preview-image-generation and -exp-image-generation on 2025-11-14 (no replacement named:
 *   ours is Nano Banana 2.1, the current model of that line);
 * - the Imagen models: imagen-3.0-generate-002 on 2025-11-10 ("use Imagen 4"), and every Imagen 4 model on
 *   2026-08-17 (https://firebase.google.com/docs/ai-logic/imagen-models-migration: "All Imagen models shut down
 *   on August 17, 2026"; fast and standard move to gemini-nano-banana-2.1, ultra to gemini-3-pro-image).
 * Prices are Google's list price for one 1K image (output tokens), the cheapest tier of each model.
 */
import type { ModelCapabilities, ModelInfo, StyleProfile } from './types';

/** The ten ratios every Gemini image model takes. */
const RATIOS = ['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9'] as const;
/** Nano Banana 2 and 2.1 add the panoramic ratios. */
const WIDE_RATIOS = [...RATIOS, '1:4', '4:1', '1:8', '8:1'] as const;

// Resolutions are the API's `imageSize` values; the first is the default the planner picks.
const K_SIZES = ['1K', '2K', '4K'] as const;

const base: Omit<ModelCapabilities, 'sizes' | 'maxInputImages'> = {
  qualities: [],
  // The API returns one fixed format (PNG in practice; the bytes are sniffed).
  formats: [],
  backgrounds: [],
  negativePrompt: false,
  // generationConfig.seed exists, but image models do not promise the same image for the same seed.
  seed: false,
  steps: null,
  imageInput: true,
  // Edits are described in words; the API has no mask and no strength.
  mask: false,
  strength: false,
  // Well inside every model's input-token limit (32k tokens for 2.5 Flash Image, 64k+ for the 3.x models).
  maxPromptChars: 30_000,
};

const flashStyle: StyleProfile = {
  strengths: [
    'conversational editing: describe the change in plain words',
    'multi-image composition from several reference images',
    'character and product consistency across images',
    'legible text, labels and infographics',
  ],
  promptGrammar: 'natural-language',
  goodExample:
    'A product photo of a ceramic coffee mug on a walnut desk by a window, soft morning light, the word "MORNING" in a thin serif on the mug',
  badExample: 'mug, desk, window, 8k, masterpiece, best quality, trending on artstation',
};

const proStyle: StyleProfile = {
  ...flashStyle,
  strengths: [
    'complex, many-part instructions (it plans before drawing)',
    'precise text rendering for posters, diagrams and slides',
    'world knowledge: accurate maps, charts and real places',
    'high-fidelity editing and multi-image composition',
  ],
  goodExample:
    'An infographic poster titled "How coffee is made" in four numbered panels: harvest, drying, roasting, brewing; flat illustration, warm palette',
};

export const GEMINI_DEFAULT_MODEL = 'gemini-nano-banana-2.1';

/** A shut-down model: a name that maps to its replacement (it is never called). */
function retired(id: string, shutdown: string, replacement: string): ModelInfo {
  const capabilities = { ...base, sizes: { kind: 'aspect' as const, ratios: RATIOS }, maxInputImages: 1 };
  return { id, label: id, lifecycle: 'retired', shutdown, replacement, capabilities, style: flashStyle };
}

export const GEMINI_MODELS: readonly ModelInfo[] = [
  {
    id: 'gemini-nano-banana-2.1',
    label: 'Nano Banana 2.1 (Gemini)',
    aliases: ['nano-banana-2.1'],
    lifecycle: 'current',
    capabilities: { ...base, sizes: { kind: 'aspect', ratios: WIDE_RATIOS, resolutions: K_SIZES }, maxInputImages: 14 },
    style: flashStyle,
    costUsd: 0.0336,
  },
  {
    id: 'gemini-3-pro-image',
    label: 'Nano Banana Pro (Gemini 3 Pro Image)',
    aliases: ['nano-banana-pro'],
    lifecycle: 'current',
    capabilities: { ...base, sizes: { kind: 'aspect', ratios: RATIOS, resolutions: K_SIZES }, maxInputImages: 14 },
    style: proStyle,
    costUsd: 0.134,
  },
  {
    id: 'gemini-3.1-flash-lite-image',
    label: 'Nano Banana 2 Lite (Gemini 3.1 Flash Lite Image)',
    aliases: ['nano-banana-lite'],
    lifecycle: 'current',
    capabilities: { ...base, sizes: { kind: 'aspect', ratios: RATIOS, resolutions: ['1K'] }, maxInputImages: 14 },
    style: {
      ...flashStyle,
      strengths: ['fastest and cheapest Gemini image model', 'quick local edits', 'drafts at volume'],
    },
    costUsd: 0.034,
  },
  {
    id: 'gemini-3.1-flash-image',
    label: 'Nano Banana 2 (Gemini 3.1 Flash Image)',
    aliases: ['nano-banana-2'],
    lifecycle: 'deprecated',
    replacement: 'gemini-nano-banana-2.1',
    // The only Gemini model with a 512 px tier.
    capabilities: {
      ...base,
      sizes: { kind: 'aspect', ratios: WIDE_RATIOS, resolutions: [...K_SIZES, '512'] },
      maxInputImages: 14,
    },
    style: flashStyle,
    costUsd: 0.067,
  },
  {
    id: 'gemini-2.5-flash-image',
    label: 'Nano Banana (Gemini 2.5 Flash Image)',
    aliases: ['nano-banana'],
    lifecycle: 'legacy',
    replacement: 'gemini-nano-banana-2.1',
    // Always about 1 megapixel: it takes no imageSize.
    capabilities: { ...base, sizes: { kind: 'aspect', ratios: RATIOS }, maxInputImages: 3 },
    style: { ...flashStyle, strengths: ['fast edits and blends of up to three images', 'character consistency'] },
    costUsd: 0.039,
  },
  retired('gemini-3.1-flash-image-preview', '2026-06-25', 'gemini-3.1-flash-image'),
  retired('gemini-3-pro-image-preview', '2026-06-25', 'gemini-3-pro-image'),
  retired('gemini-2.5-flash-image-preview', '2026-01-15', 'gemini-2.5-flash-image'),
  retired('gemini-2.0-flash-preview-image-generation', '2025-11-14', 'gemini-nano-banana-2.1'),
  retired('gemini-2.0-flash-exp-image-generation', '2025-11-14', 'gemini-nano-banana-2.1'),
  retired('imagen-3.0-generate-002', '2025-11-10', 'imagen-4.0-generate-001'),
  retired('imagen-4.0-generate-001', '2026-08-17', 'gemini-nano-banana-2.1'),
  retired('imagen-4.0-fast-generate-001', '2026-08-17', 'gemini-nano-banana-2.1'),
  retired('imagen-4.0-ultra-generate-001', '2026-08-17', 'gemini-3-pro-image'),
];

export function findGeminiModel(idOrAlias: string): ModelInfo | undefined {
  return GEMINI_MODELS.find((m) => m.id === idOrAlias || m.aliases?.includes(idOrAlias));
}
