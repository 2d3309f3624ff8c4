/** The MCP Apps gallery viewer (SEP-1865): a ui:// resource linked from show_image and gallery_link. */
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { callTool, rpc } from '../helpers/mcp';

const URI = 'ui://imagegen/gallery';
const MIME = 'text/html;profile=mcp-app';

describe('gallery app', () => {
  it('is listed as an app resource and reads as self-contained HTML that speaks the apps protocol', async () => {
    const listed = (await rpc('resources/list')).result?.resources as Array<{ uri: string; mimeType?: string }>;
    expect(listed).toContainEqual(expect.objectContaining({ uri: URI, mimeType: MIME }));

    const read = await rpc('resources/read', { uri: URI });
    const [content] = read.result!.contents as Array<{ uri: string; mimeType: string; text: string; _meta?: unknown }>;
    expect(content).toMatchObject({ uri: URI, mimeType: MIME });
    expect(content!.text).toMatch(/^<!doctype html>/i);
    expect(content!.text).not.toMatch(/<script[^>]+src=/i);
    expect(content!.text).not.toMatch(/<link[^>]+href=/i);
    for (const method of ['ui/initialize', 'ui/notifications/initialized', 'ui/notifications/tool-result'])
      expect(content!.text).toContain(method);
    // Images load from this server, so the app declares its origin for the host's sandbox.
    expect(content!._meta).toEqual({ ui: { csp: { resourceDomains: ['http://localhost'] }, prefersBorder: true } });
  });

  it('is linked from show_image and gallery_link in tools/list, and from no other tool', async () => {
    const tools = (await rpc('tools/list')).result?.tools as Tool[];
    const linked = tools.filter((t) => (t._meta?.ui as { resourceUri?: string } | undefined)?.resourceUri === URI);
    expect(linked.map((t) => t.name).sort()).toEqual(['gallery_link', 'show_image']);
    for (const tool of linked) expect(tool._meta?.['ui/resourceUri']).toBe(URI);
  });

  it('gallery_link hands the app the newest images as structured content', async () => {
    const made = await callTool<{ jobs: Array<{ job_id: string }> }>('generate_image_and_wait', {
      prompt: 'for the app',
      provider: 'placeholder',
      width: 64,
      height: 64,
    });
    const link = await callTool<{ images: Array<{ job_id: string; image_url: string; prompt: string }> }>(
      'gallery_link',
      {},
    );
    expect(link.isError).toBeFalsy();
    expect(link.structured.images[0]).toMatchObject({ job_id: made.structured.jobs[0]!.job_id, prompt: 'for the app' });
    expect(link.structured.images[0]!.image_url).toMatch(/^http:\/\/localhost\/images\//);
  });
});
