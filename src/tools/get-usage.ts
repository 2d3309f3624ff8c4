/** get_usage: your finished images and estimated spend per provider and model, and what is left of the daily quota. */
import * as z from 'zod';
import { approxUsd, usageLine } from '../jobs/usage';
import { READ_ONLY, type ToolRegistrar } from './define';

export const name = 'get_usage';

const totals = z.object({ images: z.number().int(), cost_usd: z.number() });

export const config = {
  title: 'Usage',
  description: 'Your images, estimated spend and daily quota left.',
  inputSchema: {},
  outputSchema: {
    today: totals.describe('UTC day; finished images, estimated USD.'),
    last_30_days: z.looseObject({}).describe('As today.'),
    by_model: z.array(z.looseObject({ provider: z.string(), model: z.string() })).describe('today, last_30_days each.'),
    quota: z
      .object({ limit: z.number().int(), used: z.number().int(), remaining: z.number().int(), resets_at: z.string() })
      .optional()
      .describe('Absent: no daily quota.'),
  },
  annotations: READ_ONLY,
};

export const registerGetUsage: ToolRegistrar = (server, ctx) => {
  server.registerTool(name, config, async () => {
    const usage = await ctx.usage();
    const models = usage.by_model.map(
      (m) =>
        `- ${m.provider}/${m.model}: ${m.today.images} today, ${m.last_30_days.images} in 30 days` +
        (m.last_30_days.cost_usd > 0 ? ` (${approxUsd(m.last_30_days.cost_usd)})` : ''),
    );
    const text = [`Usage: ${usageLine(usage)}.`, ...models, 'Costs are estimates from the model catalogue.'].join('\n');
    return { content: [{ type: 'text' as const, text }], structuredContent: { ...usage } };
  });
};
