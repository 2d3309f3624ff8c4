/**
 * A style: a prompt template around the caller's prompt, a negative prompt and optional defaults for provider,
 * model and size. Applying one is a pure function over the request, done once at submit time.
 */
import * as z from 'zod';
import { AppError } from '../errors';
import { canonicalProviderId } from '../providers/ids';

export const PROMPT_SLOT = '{prompt}';
export const MAX_TEMPLATE_CHARS = 1000;
export const MAX_STYLES_PER_SUBJECT = 200;

export interface Style {
  name: string;
  description: string;
  /** Contains PROMPT_SLOT exactly once. */
  template: string;
  negative_prompt: string | null;
  provider: string | null;
  model: string | null;
  width: number | null;
  height: number | null;
  aspect_ratio: string | null;
  /** 'built-in' styles ship with the server; 'saved' ones are the caller's own. */
  source: 'built-in' | 'saved';
  created_at: number | null;
  updated_at: number | null;
}

export const styleName = z
  .string()
  .trim()
  .toLowerCase()
  // A refinement, not .regex(): the pattern would be listed in save_style's schema in every conversation.
  .refine((name) => /^[a-z0-9][a-z0-9-]{0,47}$/.test(name), {
    error: 'style names are 1–48 lowercase letters, digits and hyphens (a slug)',
  });

/** A template from either a whole template or a prefix and suffix; refuses a template without one slot. */
export function templateOf(input: {
  template?: string | undefined;
  prefix?: string | undefined;
  suffix?: string | undefined;
}): string {
  if (input.template !== undefined) {
    if (input.prefix !== undefined || input.suffix !== undefined)
      throw new AppError('bad_request', 'Give either template, or prefix and/or suffix, not both.');
    const slots = input.template.split(PROMPT_SLOT).length - 1;
    if (slots !== 1)
      throw new AppError(
        'bad_request',
        `The template must contain ${PROMPT_SLOT} exactly once (where the prompt goes); it has ${slots}.`,
      );
    return input.template;
  }
  return `${input.prefix ?? ''}${PROMPT_SLOT}${input.suffix ?? ''}`;
}

/** The request fields a style touches; generation and edit inputs both have them. */
export interface Styleable {
  prompt: string;
  negative_prompt?: string | undefined;
  provider?: string | undefined;
  model?: string | undefined;
  width?: number | undefined;
  height?: number | undefined;
  aspect_ratio?: string | undefined;
}

/**
 * The request with the style applied: the prompt goes into the template, negative prompts are joined, and the
 * style's provider, model and size fill only what the caller left open. `keepSize` leaves size alone (edits
 * take their size from the source image).
 */
export function applyStyle<T extends Styleable>(input: T, style: Style, options: { keepSize?: boolean } = {}): T {
  const negatives = [input.negative_prompt?.trim(), style.negative_prompt?.trim()].filter(Boolean);
  const styled: T = {
    ...input,
    prompt: style.template.replace(PROMPT_SLOT, () => input.prompt),
    negative_prompt: negatives.length ? negatives.join(', ') : undefined,
  };
  // A style's provider fills a call that names none (over DEFAULT_PROVIDER) or says auto.
  const requested = input.provider === undefined ? undefined : canonicalProviderId(input.provider);
  const autoProvider = requested === undefined || requested === 'auto';
  if (style.provider && autoProvider) styled.provider = style.provider;
  if (style.model && !input.model && (autoProvider || requested === style.provider)) styled.model = style.model;
  const sized = input.width !== undefined || input.height !== undefined || input.aspect_ratio !== undefined;
  if (!options.keepSize && !sized) {
    if (style.width !== null) styled.width = style.width;
    if (style.height !== null) styled.height = style.height;
    if (style.aspect_ratio !== null) styled.aspect_ratio = style.aspect_ratio;
  }
  return styled;
}
