/**
 * Images as MCP resources, scoped to the caller's subject: image://list, image://{id} (the original bytes),
 * image://{id}/view{?params} (a transformed variant) and image://{id}/metadata. Another subject's id reads
 * exactly like a missing one.
 */
import {
  ProtocolError,
  ProtocolErrorCode,
  ResourceNotFoundError,
  ResourceTemplate,
  UriTemplate,
  type Variables,
} from '@modelcontextprotocol/server';
import type { RequestContext } from '../calls/context';
import { AppError } from '../errors';
import { originalKey } from '../images/storage';
import { parseTransformParams } from '../images/transform-plan';
import { imageUrl, orOriginal } from '../images/urls';
import { getVariant } from '../images/variants';
import type { Job } from '../jobs/model';
import { toView, viewsOf } from '../jobs/view';
import { encodeBase64 } from '../providers/sniff';
import type { ToolRegistrar } from '../tools/define';

/** Originals larger than this are not inlined; the https image_url (or a resized view) serves them. */
const MAX_INLINE_BYTES = 8 * 1024 * 1024;

/** A missing resource is -32602 with its URI in `data` (SEP-2164), as ResourceNotFoundError words it. */
async function finishedImage(ctx: RequestContext, uri: URL, id: string): Promise<Job> {
  const job = await ctx.store.get(ctx.subject, id);
  if (job?.status !== 'completed' || !job.content_type) {
    throw new ResourceNotFoundError(uri.href, `No image with id "${id}".`);
  }
  return job;
}

const VIEW_PARAMS = [
  'format',
  'width',
  'height',
  'fit',
  'quality',
  'crop_x',
  'crop_y',
  'crop_w',
  'crop_h',
  'rotate',
  'flip',
];

/**
 * image://{id}/view{?format,width,...}. The SDK's matcher wants every query variable present and in order;
 * here each is optional and in any order, and unknown ones are passed on to be refused by name.
 */
class ViewTemplate extends UriTemplate {
  constructor() {
    super(`image://{id}/view{?${VIEW_PARAMS.join(',')}}`);
  }

  override match(uri: string): Variables | null {
    const match = /^image:\/\/([^/?#]+)\/view(?:\?([^#]*))?$/.exec(uri);
    if (!match) return null;
    const variables: Variables = { id: decodeURIComponent(match[1]!) };
    for (const [key, value] of new URLSearchParams(match[2] ?? '')) variables[key] = value;
    return variables;
  }
}

/** Transform errors in JSON-RPC terms: bad parameters are invalid params, everything else keeps its message. */
function resourceError(error: unknown, uri: URL): unknown {
  if (!(error instanceof AppError)) return error;
  if (error.code === 'not_found') return new ResourceNotFoundError(uri.href, error.message);
  if (error.code === 'bad_request' || error.code === 'payload_too_large')
    return new ProtocolError(ProtocolErrorCode.InvalidParams, error.message);
  return error;
}

const idOf = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) ?? '';

/** How many image ids a completion offers: the newest that match. */
const COMPLETION_LIMIT = 20;

export const registerImageResources: ToolRegistrar = (server, ctx) => {
  const complete = { id: (value: string) => ctx.store.imageIdsStartingWith(ctx.subject, value, COMPLETION_LIMIT) };
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
      complete,
    }),
    { title: 'Image', description: 'A generated image, as stored (original bytes).' },
    async (uri, variables) => {
      const job = await finishedImage(ctx, uri, idOf(variables.id));
      if ((job.image_bytes ?? 0) > MAX_INLINE_BYTES) {
        throw new ProtocolError(
          ProtocolErrorCode.InvalidParams,
          `Image "${job.id}" is too large to inline; load its image_url instead.`,
        );
      }
      const object = await ctx.bucket.get(originalKey(job.id));
      if (!object) throw new ResourceNotFoundError(uri.href, `No image with id "${job.id}".`);
      const blob = encodeBase64(new Uint8Array(await object.arrayBuffer()));
      return { contents: [{ uri: uri.href, mimeType: job.content_type!, blob }] };
    },
  );

  server.registerResource(
    'image-view',
    new ResourceTemplate(new ViewTemplate(), { list: undefined, complete }),
    {
      title: 'Image view',
      description:
        'A generated image transformed on the fly and cached: format (png, jpeg, webp), quality (jpeg), width ' +
        'and/or height (one side keeps the aspect ratio; both centre-crop, or fit inside with fit=contain), a crop ' +
        'box in source pixels, ' +
        'rotate (90, 180, 270) and flip (h, v, hv). Applied as crop, rotate, flip, resize, encode.',
    },
    async (uri, variables) => {
      const { id: rawId, ...query } = variables;
      const job = await finishedImage(ctx, uri, idOf(rawId));
      const params = Object.fromEntries(Object.entries(query).map(([k, v]) => [k, idOf(v)]));
      try {
        const urls = await ctx.urls();
        const variant = await orOriginal(
          () => getVariant(ctx.variants, job.id, parseTransformParams(params)),
          () => imageUrl(urls, job.id, job.content_type ?? 'image/png'),
        );
        if (variant.bytes.byteLength > MAX_INLINE_BYTES)
          throw new AppError(
            'payload_too_large',
            `This view of image "${job.id}" is too large to inline; ask for a smaller one.`,
          );
        return { contents: [{ uri: uri.href, mimeType: variant.contentType, blob: encodeBase64(variant.bytes) }] };
      } catch (error) {
        throw resourceError(error, uri);
      }
    },
  );

  server.registerResource(
    'image-metadata',
    new ResourceTemplate('image://{id}/metadata', { list: undefined, complete }),
    {
      title: 'Image metadata',
      description: 'Prompt, provider, model, size, seed and dates of an image.',
      mimeType: 'application/json',
    },
    async (uri, variables) => {
      const job = await finishedImage(ctx, uri, idOf(variables.id));
      const view = await toView(job, await ctx.urls());
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(view) }] };
    },
  );
};
