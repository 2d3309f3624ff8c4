/**
 * The OpenAI image models, as of the API reference and deprecations page of November 2026, with their shutdown
 * dates. Sources: OpenAI's deprecations page (https://developers.openai.com/api/docs/deprecations: "Dec 1, 2026 |
 * gpt-image-1.5, gpt-image-1.5-2025-12-16 | Deprecated | gpt-image-2.6-sunburst or gpt-image-2.6-flare", the
 * same for gpt-image-1-mini and chatgpt-image-latest) and the openai package's types (openai 7.57.0,
 * resources/images.d.ts, ImageModel: "gpt-image-1": "shut down on October 23, 2026. Use gpt-image-2.5-sunburst
 * or gpt-image-2.5-flare instead"; "dall-e-2", "dall-e-3": "retired on May 12, 2026. Use a GPT image model").
 * Where OpenAI names two replacements, or "a GPT image model", the pick below is ours: sunburst for the
 * detail-first models, flare for the fast and cheap ones. No date is announced for gpt-image-2 or 2.5; calling
 * them legacy (2.6 supersedes them) is our reading.
 */
import type { ModelCapabilities, ModelInfo, StyleProfile } from './types';

export const OPENAI_DEFAULT_MODEL = 'gpt-image-2.6-sunburst';

type Size = readonly [number, number];

const GPT_IMAGE_1_SIZES: readonly Size[] = [
  [1024, 1024],
  [1536, 1024],
  [1024, 1536],
];

/**
 * gpt-image-2 and later take any WIDTHxHEIGHT with sides that are multiples of 16, at most 3840 px and 3:1, and
 * 655,360–8,294,400 pixels. A 'range' cannot say the pixel floor or the ratio cap (a 16:9 plan 1024 wide is
 * under the floor), so we offer the common ratios at about one megapixel, the nearest-ratio pick first.
 */
const GPT_IMAGE_2_SIZES: readonly Size[] = [
  [1024, 1024],
  [1280, 1024],
  [1024, 1280],
  [1152, 864],
  [864, 1152],
  [1536, 1024],
  [1024, 1536],
  [1536, 864],
  [864, 1536],
  [2016, 864],
  [864, 2016],
];

function capabilities(
  sizes: readonly Size[],
  qualities: readonly string[],
  backgrounds: readonly string[],
): ModelCapabilities {
  return {
    sizes: { kind: 'fixed', sizes },
    qualities,
    // gif and svg output need preview access, so they are not offered.
    formats: ['png', 'jpeg', 'webp'],
    backgrounds,
    negativePrompt: false,
    seed: false,
    steps: null,
    // Through the edits endpoint, with up to 16 reference images.
    imageInput: true,
    maxInputImages: 16,
    // The mask applies to the first image; there is no strength (the prompt says how much to change).
    mask: true,
    strength: false,
    maxPromptChars: 32_000,
  };
}

const BASE_QUALITIES = ['low', 'medium', 'high', 'auto'];
// The 2.5 models added xhigh and max; 2.6 takes the same parameters as 2.5.
const EXTENDED_QUALITIES = ['low', 'medium', 'high', 'xhigh', 'max', 'auto'];
const ALL_BACKGROUNDS = ['transparent', 'opaque', 'auto'];

const GOOD_EXAMPLE =
  'A minimalist poster for a jazz night: the words "BLUE NOTE FRIDAYS" in bold condensed sans-serif across the top, ' +
  'a saxophone silhouette in deep navy on a warm cream background, soft paper grain, venue details small in the bottom corner.';
const BAD_EXAMPLE =
  'jazz, poster, saxophone, 8k, masterpiece, best quality, trending on artstation (tag lists and quality boosters add nothing; describe the picture)';

function style(strengths: readonly string[]): StyleProfile {
  return { strengths, promptGrammar: 'natural-language', goodExample: GOOD_EXAMPLE, badExample: BAD_EXAMPLE };
}

const PRECISE = [
  'text rendering and typography: signs, posters, logos, labels and UI mock-ups spelled right',
  'following long, detailed instructions about layout, count and placement',
  'edits that keep faces, products and brand details across turns',
  'photorealism, product shots and infographics',
];
const FAST = [
  'fast drafts and everyday generation',
  'poster and product layouts',
  'text rendering and typography',
  'following detailed instructions',
];

// costUsd: a typical image at medium quality, 1024x1024. The 2.x models are billed by tokens ($30 per million
// image output tokens); ~$0.05 is our estimate from that, not a published per-image price. The per-image
// prices of gpt-image-1.5 ($0.034) and gpt-image-1-mini ($0.011) are OpenAI's.
/** A shut-down model: a name that maps to its replacement, which it never outlives (it is never called). */
function retired(id: string, label: string, shutdown: string, replacement: string): ModelInfo {
  return {
    id,
    label,
    lifecycle: 'retired',
    shutdown,
    replacement,
    capabilities: capabilities(GPT_IMAGE_1_SIZES, BASE_QUALITIES, ALL_BACKGROUNDS),
    style: style([]),
  };
}

export const OPENAI_MODELS: readonly ModelInfo[] = [
  {
    id: 'gpt-image-2.6-sunburst',
    label: 'GPT Image 2.6 Sunburst (detail and precise edits)',
    lifecycle: 'current',
    capabilities: capabilities(GPT_IMAGE_2_SIZES, EXTENDED_QUALITIES, ALL_BACKGROUNDS),
    style: style(PRECISE),
    costUsd: 0.05,
  },
  {
    id: 'gpt-image-2.6-flare',
    label: 'GPT Image 2.6 Flare (fast)',
    lifecycle: 'current',
    capabilities: capabilities(GPT_IMAGE_2_SIZES, EXTENDED_QUALITIES, ALL_BACKGROUNDS),
    style: style(FAST),
    costUsd: 0.05,
  },
  {
    id: 'gpt-image-2.5-sunburst',
    label: 'GPT Image 2.5 Sunburst',
    lifecycle: 'legacy',
    replacement: 'gpt-image-2.6-sunburst',
    capabilities: capabilities(GPT_IMAGE_2_SIZES, EXTENDED_QUALITIES, ALL_BACKGROUNDS),
    style: style(PRECISE),
    costUsd: 0.05,
  },
  {
    id: 'gpt-image-2.5-flare',
    label: 'GPT Image 2.5 Flare',
    lifecycle: 'legacy',
    replacement: 'gpt-image-2.6-flare',
    capabilities: capabilities(GPT_IMAGE_2_SIZES, EXTENDED_QUALITIES, ALL_BACKGROUNDS),
    style: style(FAST),
    costUsd: 0.05,
  },
  {
    id: 'gpt-image-2',
    label: 'GPT Image 2',
    lifecycle: 'legacy',
    replacement: 'gpt-image-2.6-sunburst',
    // Transparent backgrounds are only a preview on gpt-image-2, so not offered.
    capabilities: capabilities(GPT_IMAGE_2_SIZES, BASE_QUALITIES, ['opaque', 'auto']),
    style: style(PRECISE),
    costUsd: 0.05,
  },
  {
    id: 'gpt-image-1.5',
    label: 'GPT Image 1.5',
    aliases: ['gpt-image-1.5-2025-12-16'],
    lifecycle: 'deprecated',
    shutdown: '2026-12-01',
    replacement: 'gpt-image-2.6-sunburst',
    capabilities: capabilities(GPT_IMAGE_1_SIZES, BASE_QUALITIES, ALL_BACKGROUNDS),
    style: style(PRECISE.slice(0, 3)),
    costUsd: 0.034,
  },
  {
    id: 'gpt-image-1-mini',
    label: 'GPT Image 1 mini',
    lifecycle: 'deprecated',
    shutdown: '2026-12-01',
    replacement: 'gpt-image-2.6-flare',
    capabilities: capabilities(GPT_IMAGE_1_SIZES, BASE_QUALITIES, ALL_BACKGROUNDS),
    style: style(['cheap, high-volume drafts', 'following plain instructions']),
    costUsd: 0.011,
  },
  {
    id: 'chatgpt-image-latest',
    label: 'ChatGPT Image (latest)',
    lifecycle: 'deprecated',
    shutdown: '2026-12-01',
    replacement: 'gpt-image-2.6-sunburst',
    capabilities: capabilities(GPT_IMAGE_1_SIZES, BASE_QUALITIES, ALL_BACKGROUNDS),
    style: style(PRECISE.slice(0, 3)),
  },
  // Shut down: kept so that the names people and older servers use still work, on their replacement.
  retired('gpt-image-1', 'GPT Image 1', '2026-10-23', 'gpt-image-2.5-sunburst'),
  retired('dall-e-3', 'DALL·E 3', '2026-05-12', 'gpt-image-2.6-sunburst'),
  retired('dall-e-2', 'DALL·E 2', '2026-05-12', 'gpt-image-2.6-flare'),
];
