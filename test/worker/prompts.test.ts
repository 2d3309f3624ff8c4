/** Prompts: select_provider from live provider data, apply_style with the caller's styles, prompt_guide per family. */
import { describe, expect, it } from 'vitest';
import { callTool, rpc, TOKENS } from '../helpers/mcp';

interface PromptResult {
  description?: string;
  messages: Array<{ role: string; content: { type: string; text: string } }>;
}

async function getPrompt(name: string, args: Record<string, string>, options = {}) {
  const reply = await rpc('prompts/get', { name, arguments: args }, options);
  const result = reply.result as unknown as PromptResult | undefined;
  return { reply, text: result?.messages.map((m) => m.content.text).join('\n') ?? '' };
}

describe('prompts', () => {
  it('lists each prompt with its arguments', async () => {
    const reply = await rpc('prompts/list');
    const prompts = (reply.result?.prompts ?? []) as Array<{
      name: string;
      arguments?: Array<{ name: string; required?: boolean }>;
    }>;
    expect(prompts.map((p) => p.name).sort()).toEqual(['apply_style', 'prompt_guide', 'select_provider']);
    const apply = prompts.find((p) => p.name === 'apply_style')!;
    expect(apply.arguments).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'style', required: true }),
        expect.objectContaining({ name: 'prompt', required: true }),
        expect.objectContaining({ name: 'model', required: false }),
      ]),
    );
    const init = await rpc('initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'test', version: '1' },
    });
    expect(init.result?.capabilities).toMatchObject({ prompts: {}, completions: {}, logging: {} });
  });

  it('select_provider embeds the goal and the providers and models configured now', async () => {
    const { reply, text } = await getPrompt('select_provider', { goal: 'a logo with the word BREW', priority: 'text' });
    expect(reply.error).toBeUndefined();
    expect(text).toContain('a logo with the word BREW');
    expect(text).toContain('What matters most to me: text');
    expect(text).toMatch(/- placeholder \(.*\): available/);
    expect(text).toContain('generate_image_and_wait');
  });

  it('apply_style combines the prompt with a built-in or the caller’s own style', async () => {
    const builtIn = await getPrompt('apply_style', { style: 'watercolor', prompt: 'a fox' });
    expect(builtIn.text).toContain('A watercolour painting of a fox');
    expect(builtIn.text).toContain('style "watercolor"');

    await callTool('save_style', { name: 'prompted', template: 'Tiny {prompt} on a stamp', negative_prompt: 'blur' });
    const own = await getPrompt('apply_style', { style: 'prompted', prompt: 'a fox', model: 'placeholder' });
    expect(own.text).toContain('Tiny a fox on a stamp');
    expect(own.text).toContain('Negative prompt: blur');
    expect(own.text).toContain('model "placeholder"');
  });

  it('apply_style refuses an unknown style (and another subject’s) as invalid params, naming the caller’s', async () => {
    await callTool('save_style', { name: 'alice-prompt-only', prefix: 'x ' });
    const foreign = await getPrompt('apply_style', { style: 'alice-prompt-only', prompt: 'x' }, { token: TOKENS.bob });
    const missing = await getPrompt('apply_style', { style: 'never-saved', prompt: 'x' }, { token: TOKENS.bob });
    expect(foreign.reply.error?.code).toBe(-32602);
    expect(foreign.reply.error?.message).toContain('Your styles:');
    expect(foreign.reply.error?.message.replace('alice-prompt-only', 'X')).toBe(
      missing.reply.error?.message.replace('never-saved', 'X'),
    );
  });

  it('prompt_guide explains a family with this server’s models, and refuses unknown families', async () => {
    const flux = await getPrompt('prompt_guide', { family: 'flux', idea: 'a harbour at dawn' });
    expect(flux.reply.error).toBeUndefined();
    expect(flux.text).toContain('FLUX');
    expect(flux.text).toContain('a harbour at dawn');
    for (const family of ['gpt-image', 'gemini', 'stable-diffusion']) {
      const guide = await getPrompt('prompt_guide', { family });
      expect(guide.reply.error, family).toBeUndefined();
      expect(guide.text.length).toBeGreaterThan(200);
    }
    const unknown = await getPrompt('prompt_guide', { family: 'crayon' });
    expect(unknown.reply.error?.code).toBe(-32602);
    expect(unknown.reply.error?.message).toContain('flux');
  });
});
