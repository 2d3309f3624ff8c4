/**
 * Results that suit the client asking: one small inline thumbnail by default for clients that show image
 * blocks (by their clientInfo.name), links only for the rest and for clients nobody has looked up; the
 * call's include_preview and the INLINE_PREVIEW setting override. Every completed job also gets one line of
 * facts in the text.
 */
import { describe, expect, it } from 'vitest';
import { CLIENT_PROFILES, previewMode, profileOf } from '../../src/calls/client-profiles';
import { THUMBNAIL } from '../../src/images/preview';
import { callTool } from '../helpers/mcp';
import { modernRpc } from '../helpers/modern';

type Block = { type: string; data?: string; mimeType?: string; text?: string };

async function generateAs(client: string | undefined, extra: Record<string, unknown> = {}) {
  const meta = client ? { 'io.modelcontextprotocol/clientInfo': { name: client, version: '1.0' } } : {};
  const params = {
    name: 'generate_image_and_wait',
    arguments: { prompt: 'a thumbnail pony', provider: 'placeholder', width: 1024, height: 768, count: 2, ...extra },
  };
  const { reply } = await modernRpc('tools/call', params, {
    meta: client ? meta : { 'io.modelcontextprotocol/clientInfo': undefined },
  });
  expect(reply.error).toBeUndefined();
  const result = reply.result as { content: Block[]; structuredContent: { previews?: Array<{ width: number }> } };
  return { images: result.content.filter((c) => c.type === 'image'), result };
}

const bytesOf = (base64: string) => atob(base64).length;

describe('inline previews by client', () => {
  it('gives a client that shows images one JPEG thumbnail of at most 64 KiB', async () => {
    const { images, result } = await generateAs('claude-ai');
    expect(images).toHaveLength(1);
    expect(images[0]!.mimeType).toBe('image/jpeg');
    expect(bytesOf(images[0]!.data!)).toBeLessThanOrEqual(THUMBNAIL.maxBytes);
    expect(result.structuredContent.previews).toHaveLength(1);
    expect(result.structuredContent.previews![0]!.width).toBeLessThanOrEqual(THUMBNAIL.side);
    // The base64 never goes into structuredContent (some clients pass only that to the model).
    expect(JSON.stringify(result.structuredContent)).not.toContain(images[0]!.data!.slice(0, 40));
  });

  it.each([
    ['better-chatbot-images', 'pastes whole results into the context'],
    ['claude-code', 'shows no images'],
    ['some-new-client', 'is not in the table'],
  ])('gives %s links only (it %s)', async (client) => {
    const { images, result } = await generateAs(client);
    expect(images).toHaveLength(0);
    expect(result.structuredContent).not.toHaveProperty('previews');
  });

  it('gives a client that sends no clientInfo links only', async () => {
    expect((await generateAs(undefined)).images).toHaveLength(0);
  });

  it('lets the call decide: include_preview false for none, true for up to four full previews', async () => {
    expect((await generateAs('claude-ai', { include_preview: false })).images).toHaveLength(0);
    const asked = await generateAs('better-chatbot-images', { include_preview: true });
    expect(asked.images).toHaveLength(2);
  });

  it('keeps 2025-era stateless calls, which name no client, on links only', async () => {
    const result = await callTool('generate_image_and_wait', { prompt: 'legacy', provider: 'placeholder' });
    expect(result.content.some((c) => c.type === 'image')).toBe(false);
  });

  it('says provider, model, size and job id in one line of text', async () => {
    const { result } = await generateAs('claude-ai');
    const text = result.content.find((c) => c.type === 'text')!.text!;
    const ids = (result.structuredContent as unknown as { job_ids: string[] }).job_ids;
    for (const id of ids) expect(text).toMatch(new RegExp(`placeholder \\S+ · 1024x768 · job ${id}`));
  });
});

describe('the preview policy', () => {
  it('puts the call first, then INLINE_PREVIEW, then the client’s row', () => {
    expect(previewMode(true, 'never', 'claude-ai')).toBe('previews');
    expect(previewMode(false, 'always', 'claude-ai')).toBe('none');
    expect(previewMode(undefined, 'never', 'claude-ai')).toBe('none');
    expect(previewMode(undefined, 'always', 'better-chatbot-x')).toBe('thumbnail');
    expect(previewMode(undefined, 'auto', 'claude-ai')).toBe('thumbnail');
    expect(previewMode(undefined, 'auto', undefined)).toBe('none');
  });

  it('matches names exactly, or by prefix where the client adds the user’s label', () => {
    expect(profileOf('Visual Studio Code - Insiders')?.thumbnail).toBe(true);
    expect(profileOf('better-chatbot-my-server')?.thumbnail).toBe(false);
    expect(profileOf('claude-ai-fork')).toBeUndefined();
    expect(CLIENT_PROFILES.every((p) => p.source.length > 10)).toBe(true);
  });
});
