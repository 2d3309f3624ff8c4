/** delete_style: removes one of the caller's saved styles (built-ins stay). */
import * as z from 'zod';
import { AppError } from '../errors';
import { BUILT_IN_STYLES } from '../styles/built-in';
import { styleName } from '../styles/model';
import type { ToolRegistrar } from './define';

export const name = 'delete_style';

export const config = {
  title: 'Delete style',
  description: 'Delete one of your styles.',
  inputSchema: { name: styleName.describe('Its name.') },
  outputSchema: {
    deleted: z.boolean(),
    name: z.string(),
    restored_built_in: z.boolean().describe('A built-in of that name is back.'),
  },
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
};

export const registerDeleteStyle: ToolRegistrar = (server, ctx) => {
  server.registerTool(name, config, async ({ name: style }) => {
    const builtIn = BUILT_IN_STYLES.has(style);
    if (!(await ctx.styles.delete(ctx.subject, style))) {
      if (builtIn) throw new AppError('bad_request', `"${style}" is a built-in style; built-ins cannot be deleted.`);
      throw new AppError('not_found', `No style named "${style}". See list_styles for your styles.`);
    }
    const text = `Deleted style "${style}".${builtIn ? ' The built-in style of that name applies again.' : ''}`;
    return {
      content: [{ type: 'text', text }],
      structuredContent: { deleted: true, name: style, restored_built_in: builtIn },
    };
  });
};
