/** save_style: create or replace one of the caller's named styles. */
import * as z from 'zod';
import { AppError } from '../errors';
import { findModel, requireProvider } from '../providers/registry';
import { BUILT_IN_STYLES } from '../styles/built-in';
import { MAX_TEMPLATE_CHARS, PROMPT_SLOT, styleName, templateOf } from '../styles/model';
import { StyleEntrySchema, toStyleView } from '../styles/view';
import type { ToolRegistrar } from './define';
import { generateArgs, lookupName } from './schemas';

export const name = 'save_style';

const fragment = z.string().max(MAX_TEMPLATE_CHARS);

export const config = {
  title: 'Save style',
  description: `Save a style: a ${PROMPT_SLOT} template, a negative prompt and defaults. Replaces one of that name.`,
  inputSchema: {
    name: styleName.describe('e.g. "moody-noir".'),
    description: z.string().trim().max(500).default('').describe('What it looks like.'),
    template: fragment.optional().describe(`e.g. "A poster of ${PROMPT_SLOT}, flat colours".`),
    prefix: fragment.optional().describe('Or: before the prompt.'),
    suffix: fragment.optional().describe('Or: after it.'),
    negative_prompt: generateArgs.negative_prompt,
    provider: lookupName(64).optional().describe('Default provider.'),
    model: generateArgs.model.describe('Default model.'),
    width: generateArgs.width.describe('Default width.'),
    height: generateArgs.height.describe('Default height.'),
    aspect_ratio: generateArgs.aspect_ratio.describe('Default ratio.'),
  },
  outputSchema: {
    created: z.boolean().describe('false: one of that name was replaced.'),
    style: StyleEntrySchema,
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
