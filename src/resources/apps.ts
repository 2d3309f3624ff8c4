/** MCP Apps resources (SEP-1865): the gallery viewer that show_image and gallery_link point hosts to. */

import type { McpServer } from '@modelcontextprotocol/server';
import { GALLERY_APP_HTML, GALLERY_APP_URI, MCP_APP_MIME_TYPE } from '../apps/gallery';
import type { RequestContext } from '../calls/context';

export function registerAppResources(server: McpServer, ctx: RequestContext): void {
  server.registerResource(
    'gallery-app',
    GALLERY_APP_URI,
    {
      title: 'Image gallery viewer',
      description:
        'An MCP App that shows the images of a show_image or gallery_link result, for hosts that render apps.',
      mimeType: MCP_APP_MIME_TYPE,
    },
    (uri) => ({
      contents: [
        {
          uri: uri.href,
          mimeType: MCP_APP_MIME_TYPE,
          text: GALLERY_APP_HTML,
          // The images load from this server's origin; the host's sandbox allows no other by default.
          _meta: { ui: { csp: { resourceDomains: [ctx.baseUrl] }, prefersBorder: true } },
        },
      ],
    }),
  );
}
