/** Model families and how to prompt each, for the prompt_guide prompt. Pure data plus a matcher. */
import type { ModelInfo } from '../providers/types';

export interface ModelFamily {
  id: string;
  label: string;
  /** Whether a provider's model belongs to the family. */
  matches: (providerId: string, model: ModelInfo) => boolean;
  guide: string;
}

export const FAMILIES: readonly ModelFamily[] = [
  {
    id: 'flux',
    label: 'FLUX (Black Forest Labs)',
    matches: (_, m) => m.id.includes('flux'),
    guide: [
      'Write one or two plain sentences, subject first: who or what, doing what, where, then light, mood and medium.',
      'Be concrete and visual ("wet cobblestones reflecting neon signs"), not evaluative ("beautiful, stunning").',
      'FLUX follows the prompt closely and renders short text: put exact words in double quotes.',
      'It takes no negative prompt: say what you want instead ("an empty beach" rather than "no people").',
      'Quality tags such as "masterpiece, 8k, best quality" do nothing useful; name a camera, lens or medium instead.',
    ].join('\n'),
  },
  {
    id: 'gpt-image',
    label: 'GPT Image (OpenAI)',
    matches: (provider) => provider === 'openai',
    guide: [
      'Write instructions as you would to a skilled illustrator: full sentences, any length, in order of importance.',
      'Spell out layout and text exactly: positions ("title across the top"), fonts, colours, and words in quotes.',
      'It reasons about the request, so constraints ("three apples, the middle one bitten") are followed well.',
      'There is no negative prompt: state exclusions as instructions ("plain white background, nothing else").',
      'Ask for a transparent background with background: "transparent" (PNG or WebP), not in the prompt.',
      'The model may rewrite the prompt; the job records it as revised_prompt.',
    ].join('\n'),
  },
  {
    id: 'gemini',
    label: 'Gemini image models (Google)',
    matches: (provider) => provider === 'gemini',
    guide: [
      'Describe the scene conversationally and completely, as a paragraph: subject, setting, style, lighting, mood.',
      'Say the purpose ("a hero image for a bakery website") so it can choose composition and tone.',
      'For edits, say what to keep as clearly as what to change ("keep the face and pose, change the jacket to red").',
      'Several reference images can be blended: refer to them by order ("the dog from the first image").',
      'Set the shape with aspect_ratio rather than describing it in words.',
    ].join('\n'),
  },
  {
    id: 'stable-diffusion',
    label: 'Stable Diffusion (SDXL, SD 1.5, checkpoints)',
    matches: (provider, m) => provider === 'sd-webui' || /stable-diffusion|sdxl/.test(m.id),
    guide: [
      'Write comma-separated tags, most important first: subject, details, style, artist or medium, lighting.',
      'Weight a tag with (tag:1.3) where the backend supports it (SD WebUI does).',
      'Use negative_prompt for what to avoid: "blurry, lowres, extra fingers, watermark, text".',
      'Keep prompts short (under about 75 tokens per chunk); long sentences dilute the important words.',
      'Steps and seed matter: fix seed to compare prompt changes; SDXL Lightning needs only a few steps.',
    ].join('\n'),
  },
  {
    id: 'leonardo',
    label: 'Leonardo (Lucid, Phoenix)',
    matches: (_, m) => m.id.includes('leonardo'),
    guide: [
      'Write a clear natural-language description; Leonardo models favour vivid, polished, commercial looks.',
      'They handle graphic design and text well: give exact words in quotes and describe the layout.',
      'Name the photographic or design style you want ("studio product shot", "flat vector poster").',
    ].join('\n'),
  },
];

export function findFamily(id: string): ModelFamily | undefined {
  const wanted = id.trim().toLowerCase();
  return FAMILIES.find((f) => f.id === wanted);
}
