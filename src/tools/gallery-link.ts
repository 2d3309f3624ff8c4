/** gallery_link: a signed, expiring link to the caller's HTML image gallery (no token needed to open it). */
import * as z from 'zod';
import { GALLERY_APP_META } from '../apps/gallery';
import { GALLERY_LINK_DEFAULT_SECONDS, GALLERY_LINK_MAX_SECONDS, galleryLink } from '../gallery/link';
import { viewsOf } from '../jobs/view';
import { READ_ONLY, type ToolRegistrar } from './define';

/** How many of the newest images the result carries for the gallery app (the page itself pages further). */
const APP_IMAGES = 12;

export const name = 'gallery_link';

export const config = {
  title: 'Gallery link',
  description: 'A web page of your images; anyone with the link sees them until it expires.',
  inputSchema: {
    expires_in_seconds: z
      .number()
      .int()
      .min(60)
      .max(GALLERY_LINK_MAX_SECONDS)
      .default(GALLERY_LINK_DEFAULT_SECONDS)
      .describe('Link lifetime.'),
  },
  outputSchema: {
    url: z.string().describe('The gallery page.'),
    expires_at: z.string().describe('When it stops working, ISO 8601.'),
    images: z
      .array(
        z.object({
          job_id: z.string(),
          image_url: z.string(),
          prompt: z.string(),
          width: z.number().int(),
          height: z.number().int(),
        }),
      )
      .describe(`Your ${APP_IMAGES} newest, for the gallery app.`),
  },
  annotations: READ_ONLY,
  _meta: GALLERY_APP_META,
};

export const registerGalleryLink: ToolRegistrar = (server, ctx) => {
  server.registerTool(name, config, async ({ expires_in_seconds }) => {
    const urls = await ctx.urls();
    const [link, page] = await Promise.all([
      galleryLink(urls.secret, urls.baseUrl, ctx.subject, urls.nowSeconds, expires_in_seconds),
      ctx.store.listImages(ctx.subject, { limit: APP_IMAGES }),
    ]);
    const images = (await viewsOf(page.jobs, urls)).flatMap((v) =>
      v.image_url
        ? [{ job_id: v.job_id, image_url: v.image_url, prompt: v.prompt, width: v.width, height: v.height }]
        : [],
    );
    return {
      content: [
        { type: 'text', text: `Your image gallery: ${link.url}\nThe link works until ${link.expiresAt}.` },
        { type: 'resource_link', uri: link.url, name: 'gallery', title: 'Image gallery', mimeType: 'text/html' },
      ],
      structuredContent: { url: link.url, expires_at: link.expiresAt, images },
    };
  });
};
