/** save_style: create or replace one of the caller's named styles. */
import { z } from 'zod';
import { AppError } from '../errors';
import { findModel, requireProvider } from '../providers/registry';
import { BUILT_IN_STYLES } from '../styles/built-in';
import { MAX_TEMPLATE_CHARS, PROMPT_SLOT, styleName, templateOf } from '../styles/model';
import { StyleViewSchema, toStyleView } from '../styles/view';
import type { ToolRegistrar } from './define';
import { generateArgs } from './schemas';

export const name = 'save_style';

const fragment = z.string().max(MAX_TEMPLATE_CHARS);

export const config = {
  title: 'Save style',
  description:
    'Save a named style to reuse with generate_image, generate_image_and_wait and edit_image (argument style): ' +
    `a template with ${PROMPT_SLOT} where the prompt goes (or a prefix and/or suffix), a negative prompt, and ` +
    'optional defaults for provider, model and size that apply when a call leaves them open. Saving an existing ' +
    'name replaces it; a name of a built-in style makes your own version of it.',
  inputSchema: {
    name: styleName.describe('A slug: lowercase letters, digits and hyphens, e.g. "moody-noir".'),
    description: z.string().trim().max(500).default('').describe('What the style looks like, for you and others.'),
    template: fragment
      .optional()
      .describe(`The prompt with ${PROMPT_SLOT} once, e.g. "A poster of ${PROMPT_SLOT}, flat colours".`),
    prefix: fragment.optional().describe('Instead of template: text put before the prompt.'),
    suffix: fragment.optional().describe('Instead of template: text put after the prompt.'),
    negative_prompt: generateArgs.negative_prompt,
    provider: z.string().max(64).optional().describe('Default provider when a call says "auto".'),
    model: generateArgs.model.describe('Default model when a call names none.'),
    width: generateArgs.width.describe('Default width when a call gives no size.'),
    height: generateArgs.height.describe('Default height when a call gives no size.'),
    aspect_ratio: generateArgs.aspect_ratio.describe('Default aspect ratio when a call gives no size, e.g. "16:9".'),
  },
  outputSchema: {
    created: z.boolean().describe('true: a new style; false: an existing one replaced.'),
    style: StyleViewSchema,
  },
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
};

export const registerSaveStyle: ToolRegistrar = (server, ctx) => {
  server.registerTool(name, config, async (args) => {
    const template = templateOf(args);
    if (template.length > MAX_TEMPLATE_CHARS)
      throw new AppError(
        'bad_request',
        `The template is ${template.length} characters; at most ${MAX_TEMPLATE_CHARS}.`,
      );
    const provider = args.provider && args.provider !== 'auto' ? requireProvider(ctx.registry, args.provider).id : null;
    let model: string | null = null;
    if (args.model) {
      const found = findModel(ctx.registry, args.model, provider ?? undefined);
      if (!found)
        throw new AppError(
          'bad_request',
          `Unknown model "${args.model}"${provider ? ` for provider ${provider}` : ''}. See list_providers.`,
        );
      model = found.model.id;
    }
    const { style, created } = await ctx.styles.save(
      ctx.subject,
      {
        name: args.name,
        description: args.description,
        template,
        negative_prompt: args.negative_prompt?.trim() || null,
        provider,
        model,
        width: args.width ?? null,
        height: args.height ?? null,
        aspect_ratio: args.aspect_ratio ?? null,
      },
      ctx.now(),
    );
    const replaces = BUILT_IN_STYLES.has(style.name) ? ' It replaces the built-in style of that name for you.' : '';
    return {
      content: [
        {
          type: 'text',
          text: `${created ? 'Created' : 'Updated'} style "${style.name}" (style://${style.name}).${replaces} Use it with style: "${style.name}".`,
        },
      ],
      structuredContent: { created, style: toStyleView(style) },
    };
  });
};
