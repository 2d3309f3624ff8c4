/** The style library: save, list, delete, style:// resources, styles applied at submit, per-subject isolation. */
import { describe, expect, it } from 'vitest';
import { jobRow } from '../helpers/jobs';
import { callTool, rpc, TOKENS, textOf } from '../helpers/mcp';

interface StyleView {
  name: string;
  uri: string;
  template: string;
  negative_prompt: string | null;
  source: 'built-in' | 'saved';
  aspect_ratio: string | null;
}

const bob = { token: TOKENS.bob };

async function save(args: Record<string, unknown>, options = {}) {
  return callTool<{ created: boolean; style: StyleView }>('save_style', args, options);
}

async function listStyles(args: Record<string, unknown> = {}, options = {}) {
  return callTool<{ styles: StyleView[]; has_more: boolean }>('list_styles', { limit: 50, ...args }, options);
}

async function readStyle(name: string, options = {}) {
  const reply = await rpc('resources/read', { uri: `style://${name}` }, options);
  const [content] = (reply.result?.contents ?? []) as Array<{ text: string }>;
  return { reply, style: content && (JSON.parse(content.text) as StyleView) };
}

describe('save_style', () => {
  it('creates, then updates, saying which', async () => {
    const first = await save({
      name: 'Moody-Noir',
      description: 'Film noir',
      prefix: 'Film noir still of ',
      suffix: ', hard shadows',
    });
    expect(first.isError).toBeFalsy();
    expect(first.structured).toMatchObject({
      created: true,
      style: { name: 'moody-noir', template: 'Film noir still of {prompt}, hard shadows', source: 'saved' },
    });
    expect(textOf(first)).toContain('Created style "moody-noir"');
    const second = await save({ name: 'moody-noir', template: 'Noir: {prompt}', negative_prompt: 'colour' });
    expect(second.structured).toMatchObject({
      created: false,
      style: { template: 'Noir: {prompt}', negative_prompt: 'colour' },
    });
    expect(textOf(second)).toContain('Updated style');
  });

  it('refuses bad names, templates without one {prompt}, and unknown providers or models', async () => {
    for (const args of [
      { name: 'has space', prefix: 'x ' },
      { name: 'ok', template: 'no slot' },
      { name: 'ok', template: '{prompt} and {prompt}' },
      { name: 'ok', template: '{prompt}', prefix: 'x' },
      { name: 'ok', provider: 'nope' },
      { name: 'ok', model: 'no-such-model' },
    ]) {
      const result = await save(args);
      expect(result.isError, JSON.stringify(args)).toBe(true);
    }
    expect(textOf(await save({ name: 'ok', template: 'no slot' }))).toContain('{prompt} exactly once');
  });

  it('validates and normalises provider and model defaults', async () => {
    const result = await save({ name: 'drafts', provider: 'placeholder', model: 'placeholder', aspect_ratio: '16:9' });
    expect(result.structured.style).toMatchObject({
      provider: 'placeholder',
      model: 'placeholder',
      aspect_ratio: '16:9',
    });
  });
});

describe('list_styles and style:// resources', () => {
  it('lists built-ins and the caller’s own, a saved style hiding a built-in of its name', async () => {
    await save({ name: 'watercolor', description: 'My watercolour', prefix: 'Ink and wash: ' }, bob);
    const mine = (await listStyles({}, bob)).structured.styles;
    const watercolors = mine.filter((s) => s.name === 'watercolor');
    expect(watercolors).toEqual([expect.objectContaining({ source: 'saved', template: 'Ink and wash: {prompt}' })]);
    expect(mine.map((s) => s.name)).toEqual(expect.arrayContaining(['photo', 'pixel-art', 'line-art']));
    // Alice still sees the built-in.
    const alices = (await listStyles()).structured.styles.find((s) => s.name === 'watercolor');
    expect(alices?.source).toBe('built-in');
    expect((await readStyle('watercolor', bob)).style?.source).toBe('saved');
    expect((await readStyle('watercolor')).style?.source).toBe('built-in');

    const deleted = await callTool('delete_style', { name: 'watercolor' }, bob);
    expect(deleted.structured).toMatchObject({ deleted: true, restored_built_in: true });
    expect((await readStyle('watercolor', bob)).style?.source).toBe('built-in');
  });

  it('pages', async () => {
    const page = await listStyles({ limit: 1, offset: 0, source: 'built-in' });
    expect(page.structured.styles).toHaveLength(1);
    expect(page.structured.has_more).toBe(true);
    const rest = await listStyles({ limit: 50, offset: 1, source: 'built-in' });
    expect(rest.structured.styles.length).toBe(3);
    expect(rest.structured.has_more).toBe(false);
  });

  it('lists style:// resources and their template', async () => {
    await save({ name: 'listed', prefix: 'listed ' });
    const listed = await rpc('resources/list');
    const uris = ((listed.result?.resources ?? []) as Array<{ uri: string }>).map((r) => r.uri);
    expect(uris).toEqual(expect.arrayContaining(['style://listed', 'style://photo']));
    const templates = await rpc('resources/templates/list');
    expect(JSON.stringify(templates.result)).toContain('style://{name}');
    expect((await readStyle('listed')).style).toMatchObject({ name: 'listed', uri: 'style://listed' });
  });

  it('refuses to delete a built-in, and says when a style is missing', async () => {
    const builtIn = await callTool('delete_style', { name: 'photo' });
    expect(builtIn.isError).toBe(true);
    expect(textOf(builtIn)).toContain('built-in');
    const missing = await callTool('delete_style', { name: 'never-saved' });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toContain('No style named "never-saved"');
  });
});

describe('styles per subject', () => {
  it('keeps each subject’s styles to itself: another’s reads, lists, deletes and uses like a missing one', async () => {
    await save({ name: 'alice-secret', prefix: 'secret sauce ' });
    const foreign = await readStyle('alice-secret', bob);
    const missing = await readStyle('never-saved', bob);
    // A missing resource: -32602 with its URI in data (SEP-2164), the same for another subject's.
    expect(foreign.reply.error?.code).toBe(-32602);
    expect(foreign.reply.error?.data).toEqual({ uri: 'style://alice-secret' });
    expect(foreign.reply.error?.message.replace('alice-secret', 'X')).toBe(
      missing.reply.error?.message.replace('never-saved', 'X'),
    );
    expect(JSON.stringify((await listStyles({}, bob)).structured)).not.toContain('alice-secret');
    expect(JSON.stringify(await rpc('resources/list', undefined, bob))).not.toContain('alice-secret');

    const del = await callTool('delete_style', { name: 'alice-secret' }, bob);
    const delMissing = await callTool('delete_style', { name: 'never-saved' }, bob);
    expect(textOf(del).replace('alice-secret', 'X')).toBe(textOf(delMissing).replace('never-saved', 'X'));

    const use = await callTool('generate_image', { prompt: 'x', provider: 'placeholder', style: 'alice-secret' }, bob);
    const useMissing = await callTool(
      'generate_image',
      { prompt: 'x', provider: 'placeholder', style: 'never-saved' },
      bob,
    );
    expect(use.isError).toBe(true);
    expect(textOf(use).replace('alice-secret', 'X')).toBe(textOf(useMissing).replace('never-saved', 'X'));
    expect(textOf(use)).not.toContain('secret sauce');

    // Alice's style survived all of it.
    expect((await readStyle('alice-secret')).style?.template).toBe('secret sauce {prompt}');
  });
});

describe('generating with a style', () => {
  it('applies the template, negative prompt and defaults at submit and records the style on the job', async () => {
    await save({
      name: 'poster',
      template: 'A flat vector poster of {prompt}, bold shapes',
      negative_prompt: 'photo',
      provider: 'placeholder',
      width: 96,
      height: 64,
    });
    const result = await callTool<{ status: string; jobs: Array<Record<string, unknown>> }>('generate_image_and_wait', {
      prompt: 'a lighthouse',
      negative_prompt: 'text',
      style: 'poster',
    });
    expect(result.isError, textOf(result)).toBeFalsy();
    const job = result.structured.jobs[0]!;
    expect(job).toMatchObject({
      status: 'completed',
      style: 'poster',
      prompt: 'A flat vector poster of a lighthouse, bold shapes',
      negative_prompt: 'text, photo',
      provider: 'placeholder',
      width: 96,
      height: 64,
    });
    expect(await jobRow(job.job_id as string)).toMatchObject({ style: 'poster' });
  });

  it('lets the call’s own size win over the style’s, and uses built-ins', async () => {
    const result = await callTool<{ jobs: Array<Record<string, unknown>> }>('generate_image', {
      prompt: 'a cat',
      provider: 'placeholder',
      style: 'PIXEL-ART',
      width: 64,
      height: 128,
    });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(result.structured.jobs[0]).toMatchObject({ style: 'pixel-art', width: 64, height: 128 });
    expect(result.structured.jobs[0]!.prompt).toContain('Pixel art of a cat');
  });

  it('applies a style to an edit and records it', async () => {
    const made = await callTool<{ jobs: Array<{ job_id: string }> }>('generate_image_and_wait', {
      prompt: 'source',
      provider: 'placeholder',
      width: 64,
      height: 64,
    });
    const edited = await callTool<{ jobs: Array<Record<string, unknown>> }>('edit_image', {
      images: [made.structured.jobs[0]!.job_id],
      prompt: 'make it blue',
      provider: 'placeholder',
      style: 'line-art',
    });
    expect(edited.isError, textOf(edited)).toBeFalsy();
    expect(edited.structured.jobs[0]).toMatchObject({ style: 'line-art', width: 64, height: 64 });
  });

  it('names the caller’s styles when the style is unknown', async () => {
    await save({ name: 'known-one', prefix: 'k ' });
    const result = await callTool('generate_image_and_wait', { prompt: 'x', provider: 'placeholder', style: 'nope' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/No style named "nope"\. Your styles: .*known-one.*photo/);
  });

  it('leaves jobs without a style recording none', async () => {
    const result = await callTool<{ jobs: Array<Record<string, unknown>> }>('generate_image', {
      prompt: 'plain',
      provider: 'placeholder',
    });
    expect(result.structured.jobs[0]).toMatchObject({ style: null, prompt: 'plain' });
  });
});
