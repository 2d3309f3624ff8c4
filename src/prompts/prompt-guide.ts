/** prompt_guide: how to write prompts for one model family, with this server's models of that family. */
import { completable, ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';
import * as z from 'zod';
import type { ToolRegistrar } from '../tools/define';
import { FAMILIES, findFamily } from './families';

export const name = 'prompt_guide';

const familyIds = FAMILIES.map((f) => f.id);

export const config = {
  title: 'Prompt guide for a model family',
  description: `How to write prompts for a model family (${familyIds.join(', ')}), with examples from this server's models.`,
  argsSchema: {
    family: completable(
      z
        .string()
        .trim()
        .min(1)
        .max(64)
        .describe(`One of: ${familyIds.join(', ')}.`),
      (value) => familyIds.filter((id) => id.startsWith(value.trim().toLowerCase())),
    ),
    idea: z.string().max(2000).optional().describe('What you want to draw; the guide ends by writing its prompt.'),
  },
};

export const registerPromptGuide: ToolRegistrar = (server, ctx) => {
  server.registerPrompt(name, config, async ({ family: wanted, idea }) => {
    const family = findFamily(wanted);
    if (!family)
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        `Unknown model family "${wanted}". Families: ${familyIds.join(', ')}.`,
      );
    const models = [...ctx.registry.providers.values()].flatMap((p) =>
      p.catalogue.filter((m) => family.matches(p.id, m)).map((m) => ({ provider: p.id, model: m })),
    );
    const examples = models.map(
      ({ provider, model }) =>
        `- ${model.id} (${provider}): good at ${model.style.strengths.join(', ')}.\n` +
        `  Good: "${model.style.goodExample}"\n  Poor: "${model.style.badExample}"`,
    );
    const text = [
      `How to write prompts for ${family.label} models:`,
      family.guide,
      '',
      examples.length
        ? `This server's ${family.id} models:\n${examples.join('\n')}`
        : `This server has no ${family.id} model configured now; see list_providers for the ones it has.`,
      idea
        ? `\nUsing this guide, write a prompt for: ${idea}\nThen call generate_image_and_wait with it${models[0] ? ` (provider "${models[0].provider}", model "${models[0].model.id}")` : ''}.`
        : '',
    ]
      .filter((line) => line !== '')
      .join('\n');
    return {
      description: `Prompting ${family.label}`,
      messages: [{ role: 'user', content: { type: 'text', text } }],
    };
  });
};
