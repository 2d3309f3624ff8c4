/** list_styles: the styles the caller can use, their own and the built-ins, a page at a time. */
import * as z from 'zod';
import { describeStyle, StyleViewSchema, toStyleView } from '../styles/view';
import { READ_ONLY, type ToolRegistrar } from './define';
import { pageArgs, pageResultShape } from './schemas';

export const name = 'list_styles';

export const config = {
  title: 'List styles',
  description: 'Styles for the style argument: yours and built-ins.',
  inputSchema: {
    ...pageArgs,
    source: z.enum(['all', 'saved', 'built-in']).default('all').describe('Yours, built-in, or all.'),
  },
  outputSchema: { styles: z.array(StyleViewSchema), ...pageResultShape },
  annotations: READ_ONLY,
};

export const registerListStyles: ToolRegistrar = (server, ctx) => {
  server.registerTool(name, config, async ({ limit, offset, source }) => {
    const all = (await ctx.styles.list(ctx.subject)).filter((s) => source === 'all' || s.source === source);
    const page = all.slice(offset, offset + limit);
    const hasMore = offset + limit < all.length;
    const lines = page.map(describeStyle);
    if (lines.length === 0) lines.push(offset > 0 ? 'No more styles.' : 'No styles yet; save one with save_style.');
    if (hasMore) lines.push(`More styles: call again with offset ${offset + limit}.`);
    return {
      content: [{ type: 'text', text: lines.join('\n') }],
      structuredContent: { styles: page.map(toStyleView), limit, offset, has_more: hasMore },
    };
  });
};
