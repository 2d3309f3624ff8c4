/** Image resources and deletion, scoped to the caller: another subject's id answers exactly like a missing one. */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { originalKey } from '../../src/images/storage';
import { expireImages } from '../../src/jobs/retention';
import { JobStore } from '../../src/jobs/store';
import { callTool, rpc, TOKENS } from '../helpers/mcp';

async function makeImage(prompt = 'a resource') {
  const result = await callTool<{ jobs: Array<{ job_id: string }> }>('generate_image_and_wait', {
    prompt,
    provider: 'placeholder',
    width: 64,
    height: 64,
  });
  return result.structured.jobs[0]!.job_id;
}

function contentsOf<T>(response: { result?: Record<string, unknown> }): T[] {
  return (response.result?.contents ?? []) as T[];
}

describe('image resources', () => {
  it('lists the caller’s images and reads the original bytes and metadata', async () => {
    const id = await makeImage('resource bytes');
    const listed = await rpc('resources/list');
    const uris = ((listed.result?.resources ?? []) as Array<{ uri: string }>).map((r) => r.uri);
    expect(uris).toContain('image://list');
    expect(uris).toContain(`image://${id}`);
    const templates = await rpc('resources/templates/list');
    expect(JSON.stringify(templates.result)).toContain('image://{id}/metadata');

    const original = await rpc('resources/read', { uri: `image://${id}` });
    const [content] = contentsOf<{ mimeType: string; blob: string }>(original);
    expect(content?.mimeType).toBe('image/png');
    expect(atob(content!.blob).slice(1, 4)).toBe('PNG');

    const meta = await rpc('resources/read', { uri: `image://${id}/metadata` });
    const [json] = contentsOf<{ text: string }>(meta);
    expect(JSON.parse(json!.text)).toMatchObject({
      job_id: id,
      prompt: 'resource bytes',
      width: 64,
      provider: 'placeholder',
    });

    const list = await rpc('resources/read', { uri: 'image://list' });
    expect(contentsOf<{ text: string }>(list)[0]!.text).toContain(`image://${id}`);
  });

  it('answers another subject’s image exactly like a missing one', async () => {
    const id = await makeImage();
    const bob = { token: TOKENS.bob };
    for (const suffix of ['', '/metadata']) {
      const foreign = await rpc('resources/read', { uri: `image://${id}${suffix}` }, bob);
      const missing = await rpc(
        'resources/read',
        { uri: `image://00000000-0000-0000-0000-000000000000${suffix}` },
        bob,
      );
      expect(foreign.error?.code).toBe(-32602);
      expect(foreign.error?.data).toEqual({ uri: `image://${id}${suffix}` });
      expect(foreign.error?.message.replace(id, 'X')).toBe(
        missing.error?.message.replace('00000000-0000-0000-0000-000000000000', 'X'),
      );
    }
    const bobList = await rpc('resources/read', { uri: 'image://list' }, bob);
    expect(JSON.stringify(bobList)).not.toContain(id);
  });
});

describe('delete_image', () => {
  it('removes the original, its variants and the row, for the owner only', async () => {
    const id = await makeImage();
    await env.IMAGES.put(`variants/${id}/w=32`, new Uint8Array([1, 2, 3]));
    const foreign = await callTool('delete_image', { image_id: id }, { token: TOKENS.bob });
    expect(foreign.isError).toBe(true);
    expect(await env.IMAGES.head(originalKey(id))).not.toBeNull();

    const deleted = await callTool<{ deleted: boolean; objects_deleted: number }>('delete_image', {
      image_id: `image://${id}`,
    });
    expect(deleted.structured).toMatchObject({ deleted: true, objects_deleted: 2 });
    expect(await env.IMAGES.head(originalKey(id))).toBeNull();
    expect((await env.IMAGES.list({ prefix: `variants/${id}/` })).objects).toHaveLength(0);
    expect((await callTool('get_job_status', { job_id: id })).isError).toBe(true);
  });

  it('expires images past the retention period from the cron sweep', async () => {
    const old = await makeImage('old');
    const recent = await makeImage('recent');
    await env.DB.prepare('UPDATE jobs SET created_at = ? WHERE id = ?')
      .bind(Date.now() - 40 * 86_400_000, old)
      .run();
    expect(await expireImages(new JobStore(env.DB), env.IMAGES, 0, Date.now())).toBe(0);
    expect(await expireImages(new JobStore(env.DB), env.IMAGES, 30, Date.now())).toBeGreaterThanOrEqual(1);
    expect(await env.IMAGES.head(originalKey(old))).toBeNull();
    expect(await env.IMAGES.head(originalKey(recent))).not.toBeNull();
  });
});
