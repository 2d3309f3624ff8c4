/**
 * Images as MCP resources, scoped to the caller's subject: image://list, image://{id} (the original bytes)
 * and image://{id}/metadata. Another subject's id reads exactly like a missing one.
 */
import { ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { originalKey } from '../images/storage';
import type { Job } from '../jobs/model';
import type { RequestContext } from '../mcp/context';
import { toView, viewsOf } from '../mcp/job-view';
import type { ToolRegistrar } from '../tools/define';

/** JSON-RPC code the MCP spec gives "resource not found". */
const RESOURCE_NOT_FOUND = -32002;
/** Originals larger than this are not inlined; the https image_url (or a resized view) serves them. */
const MAX_INLINE_BYTES = 8 * 1024 * 1024;

async function finishedImage(ctx: RequestContext, id: string): Promise<Job> {
  const job = await ctx.store.get(ctx.subject, id);
  if (job?.status !== 'completed' || !job.content_type) {
    throw new McpError(RESOURCE_NOT_FOUND, `No image with id "${id}".`);
  }
  return job;
}

const idOf = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) ?? '';

export const registerImageResources: ToolRegistrar = (server, ctx) => {
  server.registerResource(
    'image-list',
    'image://list',
    {
      title: 'Your images',
      description: 'Your 50 newest images with their URIs and prompts.',
      mimeType: 'application/json',
    },
    async (uri) => {
      const page = await ctx.store.list(ctx.subject, { status: 'completed', limit: 50, offset: 0 });
      const views = await viewsOf(page.jobs, await ctx.urls());
      const images = views.map((v) => ({
        uri: `image://${v.job_id}`,
        prompt: v.prompt,
        image_url: v.image_url,
        created_at: v.created_at,
      }));
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify({ images }) }] };
    },
  );

  server.registerResource(
    'image',
    new ResourceTemplate('image://{id}', {
      list: async () => {
        const page = await ctx.store.list(ctx.subject, { status: 'completed', limit: 50, offset: 0 });
        return {
          resources: page.jobs.map((j) => ({
            uri: `image://${j.id}`,
            name: `image-${j.id}`,
            title: j.prompt.slice(0, 100),
            mimeType: j.content_type ?? undefined,
          })),
        };
      },
    }),
    { title: 'Image', description: 'A generated image, as stored (original bytes).' },
    async (uri, variables) => {
      const job = await finishedImage(ctx, idOf(variables.id));
      if ((job.image_bytes ?? 0) > MAX_INLINE_BYTES) {
        throw new McpError(RESOURCE_NOT_FOUND, `Image "${job.id}" is too large to inline; load its image_url instead.`);
      }
      const object = await ctx.bucket.get(originalKey(job.id));
      if (!object) throw new McpError(RESOURCE_NOT_FOUND, `No image with id "${job.id}".`);
      const bytes = new Uint8Array(await object.arrayBuffer());
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return { contents: [{ uri: uri.href, mimeType: job.content_type!, blob: btoa(binary) }] };
    },
  );

  server.registerResource(
    'image-metadata',
    new ResourceTemplate('image://{id}/metadata', { list: undefined }),
    {
      title: 'Image metadata',
      description: 'Prompt, provider, model, size, seed and dates of an image.',
      mimeType: 'application/json',
    },
    async (uri, variables) => {
      const job = await finishedImage(ctx, idOf(variables.id));
      const view = await toView(job, await ctx.urls());
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(view) }] };
    },
  );
};
