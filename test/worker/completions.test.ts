/** completion/complete for arguments that name things: styles, models, model families and image ids. */
import { describe, expect, it } from 'vitest';
import { callTool, rpc, TOKENS } from '../helpers/mcp';

type Ref = { type: 'ref/prompt'; name: string } | { type: 'ref/resource'; uri: string };

async function complete(ref: Ref, name: string, value: string, options = {}): Promise<string[]> {
  const reply = await rpc('completion/complete', { ref, argument: { name, value } }, options);
  expect(reply.error, JSON.stringify(reply.error)).toBeUndefined();
  return (reply.result?.completion as { values: string[] } | undefined)?.values ?? [];
}

const applyStyle: Ref = { type: 'ref/prompt', name: 'apply_style' };
const styleTemplate: Ref = { type: 'ref/resource', uri: 'style://{name}' };

async function newImage(): Promise<string> {
  const made = await callTool<{ jobs: Array<{ job_id: string }> }>('generate_image_and_wait', {
    prompt: 'completion',
    provider: 'placeholder',
    width: 64,
    height: 64,
  });
  return made.structured.jobs[0]!.job_id;
}

describe('completions', () => {
  it('completes style names for apply_style and style://{name}, the caller’s own only', async () => {
    await callTool('save_style', { name: 'zesty-alice', prefix: 'z ' });
    expect(await complete(applyStyle, 'style', 'z')).toContain('zesty-alice');
    expect(await complete(styleTemplate, 'name', 'ZE')).toContain('zesty-alice');
    expect(await complete(applyStyle, 'style', 'wat')).toEqual(['watercolor']);
    const all = await complete(styleTemplate, 'name', '');
    expect(all).toEqual(expect.arrayContaining(['photo', 'watercolor', 'pixel-art', 'line-art', 'zesty-alice']));

    const bobs = { token: TOKENS.bob };
    expect(await complete(applyStyle, 'style', 'z', bobs)).not.toContain('zesty-alice');
    expect(await complete(styleTemplate, 'name', '', bobs)).not.toContain('zesty-alice');
  });

  it('completes model names and families', async () => {
    expect(await complete(applyStyle, 'model', 'place')).toEqual(['placeholder']);
    expect(await complete({ type: 'ref/prompt', name: 'prompt_guide' }, 'family', 'st')).toEqual(['stable-diffusion']);
    expect((await complete({ type: 'ref/prompt', name: 'prompt_guide' }, 'family', '')).length).toBeGreaterThanOrEqual(
      4,
    );
    expect(await complete(applyStyle, 'prompt', 'anything')).toEqual([]);
  });

  it('completes image ids by prefix over the caller’s own images, for every image:// template', async () => {
    const id = await newImage();
    for (const uri of ['image://{id}', 'image://{id}/metadata']) {
      const ref: Ref = { type: 'ref/resource', uri };
      expect(await complete(ref, 'id', id.slice(0, 6))).toContain(id);
      expect(await complete(ref, 'id', '')).toContain(id);
      expect(await complete(ref, 'id', id.slice(0, 6), { token: TOKENS.bob })).not.toContain(id);
    }
    expect(await complete({ type: 'ref/resource', uri: 'image://{id}' }, 'id', 'zzzz')).toEqual([]);
  });
});
