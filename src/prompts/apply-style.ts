/** apply_style: a prompt combined with one of the caller's styles (or a built-in), ready to generate. */
import { completable } from '@modelcontextprotocol/server';
import * as z from 'zod';
import { findModel } from '../providers/registry';
import { applyStyle, type Styleable } from '../styles/model';
import type { ToolRegistrar } from '../tools/define';
import { modelNames, promptError } from './catalogue';

export const name = 'apply_style';

export const registerApplyStyle: ToolRegistrar = (server, ctx) => {
  const config = {
    title: 'Apply a style',
    description:
      'Combine a prompt with one of your styles (see list_styles, or the built-ins photo, watercolor, pixel-art, ' +
      'line-art) and generate it; optionally for a given model, whose prompt grammar it then follows.',
    argsSchema: {
      style: completable(z.string().trim().min(1).max(64).describe('The style name.'), (value) =>
        ctx.styles.names(ctx.subject, value),
      ),
      prompt: z.string().trim().min(1).max(4000).describe('What to draw.'),
      model: completable(z.string().max(128).describe('A model to write the prompt for (optional).'), (value) =>
        modelNames(ctx, value ?? ''),
      ).optional(),
    },
  };
  server.registerPrompt(name, config, async ({ style: styleName, prompt, model }) => {
    try {
      const style = await ctx.styles.resolve(ctx.subject, styleName);
      const styled = applyStyle<Styleable>({ prompt, provider: 'auto', model }, style);
      const target = model ? findModel(ctx.registry, model) : undefined;
      const lines = [
        `Generate an image of: ${prompt}`,
        `in my style "${style.name}" (${style.source}): ${style.description}`,
        '',
        `With the style applied, the prompt reads:\n${styled.prompt}`,
        styled.negative_prompt ? `Negative prompt: ${styled.negative_prompt}` : '',
        target
          ? `It is for ${target.model.id} (${target.provider.id}), which wants ${target.model.style.promptGrammar} ` +
            `prompts, e.g. "${target.model.style.goodExample}", not "${target.model.style.badExample}". If the ` +
            'combined prompt does not read that way, adjust the wording but keep the style’s look.'
          : '',
        '',
        `Call generate_image_and_wait with prompt ${JSON.stringify(prompt)} and style ${JSON.stringify(style.name)}` +
          `${target ? `, provider ${JSON.stringify(target.provider.id)} and model ${JSON.stringify(target.model.id)}` : ''}: ` +
          'the server applies the style itself and records it on the job. Then show me the image.',
      ];
      return {
        description: `"${prompt.slice(0, 60)}" in style ${style.name}`,
        messages: [{ role: 'user', content: { type: 'text', text: lines.filter(Boolean).join('\n') } }],
      };
    } catch (error) {
      throw promptError(error);
    }
  });
};
