/** How a style is shown to MCP clients, by the style tools and the style:// resources alike. */
import * as z from 'zod';
import type { Style } from './model';

export const StyleViewSchema = z
  .object({
    name: z.string(),
    uri: z.string().describe('Its style:// resource.'),
    description: z.string(),
    template: z.string().describe('{prompt} is replaced by the prompt given.'),
    negative_prompt: z.string().nullable(),
    provider: z.string().nullable(),
    model: z.string().nullable(),
    width: z.number().int().nullable(),
    height: z.number().int().nullable(),
    aspect_ratio: z.string().nullable(),
    source: z.enum(['built-in', 'saved']).describe('saved: yours.'),
    created_at: z.string().nullable().describe('ISO 8601; null for built-ins.'),
    updated_at: z.string().nullable(),
  })
  .describe('Provider, model, size: defaults for calls.');
/** A style inside save_style's result: the same object, declared in full once, by list_styles. */
export const StyleEntrySchema = z
  .looseObject({ name: z.string(), uri: z.string() })
  .describe('As list_styles returns it.');
export type StyleView = z.infer<typeof StyleViewSchema>;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function toStyleView(style: Style): StyleView {
  return {
    name: style.name,
    uri: `style://${style.name}`,
    description: style.description,
    template: style.template,
    negative_prompt: style.negative_prompt,
    provider: style.provider,
    model: style.model,
    width: style.width,
    height: style.height,
    aspect_ratio: style.aspect_ratio,
    source: style.source,
    created_at: iso(style.created_at),
    updated_at: iso(style.updated_at),
  };
}

/** One line: name, where it comes from, and what it does. */
export function describeStyle(style: Style): string {
  const defaults = [
    style.provider,
    style.model,
    style.aspect_ratio,
    style.width && `${style.width}x${style.height ?? '?'}`,
  ]
    .filter(Boolean)
    .join(', ');
  return `${style.name} (${style.source}): ${style.description || style.template}${defaults ? ` [${defaults}]` : ''}`;
}
