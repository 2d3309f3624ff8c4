/** select_provider: guides the assistant to pick a provider and model for the user's goal from live data. */
import * as z from 'zod';
import type { ToolRegistrar } from '../tools/define';
import { providerSummary } from './catalogue';

export const name = 'select_provider';

export const config = {
  title: 'Choose a provider and model',
  description:
    'Pick the provider and model that suit what you want to make, from the providers this server has now ' +
    '(availability, cost, strengths, editing and negative prompt support).',
  argsSchema: {
    goal: z.string().trim().min(1).max(2000).describe('What you want to make, e.g. "a logo with the word BREW".'),
    priority: z
      .string()
      .max(200)
      .optional()
      .describe('What matters most: quality, speed, cost, text rendering, editing ... (optional).'),
  },
};

export const registerSelectProvider: ToolRegistrar = (server, ctx) => {
  server.registerPrompt(name, config, async ({ goal, priority }) => {
    const text = [
      `I want to generate: ${goal}`,
      priority ? `What matters most to me: ${priority}` : '',
      '',
      "Choose the provider and model for this from the server's providers and models below (live data; call " +
        'list_providers for sizes, qualities and full capabilities). Prefer available, non-paid providers unless ' +
        'the goal needs a paid one; an edit needs a model that takes image input. Say which you chose and why in ' +
        'one or two sentences, rewrite the prompt in the grammar that model likes (natural-language or tag-list), ' +
        'then call generate_image_and_wait with provider, model and that prompt.',
      '',
      await providerSummary(ctx),
    ]
      .filter((line, i, all) => line !== '' || all[i - 1] !== '')
      .join('\n');
    return {
      description: `Choosing a provider for: ${goal.slice(0, 80)}`,
      messages: [{ role: 'user', content: { type: 'text', text } }],
    };
  });
};
