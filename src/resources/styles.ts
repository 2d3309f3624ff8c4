/**
 * Styles as MCP resources: style://{name}, listing and completing the caller's own styles and the built-ins.
 * Another subject's style reads exactly like a missing one.
 */
import { ResourceNotFoundError, ResourceTemplate } from '@modelcontextprotocol/server';
import { toStyleView } from '../styles/view';
import type { ToolRegistrar } from '../tools/define';

export const registerStyleResources: ToolRegistrar = (server, ctx) => {
  server.registerResource(
    'style',
    new ResourceTemplate('style://{name}', {
      list: async () => ({
        resources: (await ctx.styles.list(ctx.subject)).map((s) => ({
          uri: `style://${s.name}`,
          name: `style-${s.name}`,
          title: s.description || s.name,
          mimeType: 'application/json',
        })),
      }),
      complete: { name: (value) => ctx.styles.names(ctx.subject, value) },
    }),
    {
      title: 'Style',
      description: 'A style you can pass as style to the generation tools: yours, or a built-in.',
      mimeType: 'application/json',
    },
    async (uri, variables) => {
      const name = decodeURIComponent(String(variables.name ?? '')).toLowerCase();
      const style = await ctx.styles.get(ctx.subject, name);
      if (!style) throw new ResourceNotFoundError(uri.href, `No style named "${name}".`);
      return {
        contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(toStyleView(style)) }],
      };
    },
  );
};
