/** Applying a style is a pure function over the request: what it fills, what it leaves to the caller. */
import { describe, expect, it } from 'vitest';
import { BUILT_IN_STYLES } from '../../src/styles/built-in';
import { applyStyle, type Style, type Styleable, templateOf } from '../../src/styles/model';

const style: Style = {
  ...BUILT_IN_STYLES.get('photo')!,
  name: 'house',
  template: 'Poster: {prompt} ($& $1 kept literally)',
  negative_prompt: 'blur',
  provider: 'openai',
  model: 'gpt-image-2',
  width: 1536,
  height: 1024,
  aspect_ratio: null,
  source: 'saved',
};

describe('styles', () => {
  it('builds templates from a template or a prefix and suffix, with exactly one slot', () => {
    expect(templateOf({ prefix: 'a ', suffix: ' b' })).toBe('a {prompt} b');
    expect(templateOf({})).toBe('{prompt}');
    expect(templateOf({ template: 'x {prompt} y' })).toBe('x {prompt} y');
    expect(() => templateOf({ template: 'none' })).toThrow(/exactly once/);
    expect(() => templateOf({ template: '{prompt}', suffix: 'x' })).toThrow(/not both/);
  });

  it('wraps the prompt (literally), joins negative prompts and fills only open defaults', () => {
    const styled = applyStyle({ prompt: 'a $1 cat', negative_prompt: 'dogs', provider: 'auto' }, style);
    expect(styled).toMatchObject({
      prompt: 'Poster: a $1 cat ($& $1 kept literally)',
      negative_prompt: 'dogs, blur',
      provider: 'openai',
      model: 'gpt-image-2',
      width: 1536,
      height: 1024,
    });
    const own = applyStyle<Styleable>({ prompt: 'x', provider: 'placeholder', aspect_ratio: '1:1' }, style);
    expect(own).toMatchObject({ provider: 'placeholder', aspect_ratio: '1:1' });
    expect(own.model).toBeUndefined();
    expect(own.width).toBeUndefined();
    expect(applyStyle<Styleable>({ prompt: 'x', provider: 'auto' }, style, { keepSize: true }).width).toBeUndefined();
  });
});
