/**
 * Styles every subject can use without saving them. A subject's own style of the same name takes their place
 * for that subject only; built-ins themselves cannot be changed or deleted.
 */
import type { Style } from './model';

const builtIn = (
  name: string,
  description: string,
  template: string,
  negative_prompt: string | null,
  aspect_ratio: string | null = null,
): Style => ({
  name,
  description,
  template,
  negative_prompt,
  provider: null,
  model: null,
  width: null,
  height: null,
  aspect_ratio,
  source: 'built-in',
  created_at: null,
  updated_at: null,
});

export const BUILT_IN_STYLES: ReadonlyMap<string, Style> = new Map(
  [
    builtIn(
      'photo',
      'Natural photograph: realistic light, shallow depth of field.',
      'A photograph of {prompt}, natural light, shallow depth of field, 35mm lens, realistic detail',
      'illustration, painting, drawing, cartoon, 3d render, oversaturated',
    ),
    builtIn(
      'watercolor',
      'Loose watercolour painting on textured paper.',
      'A watercolour painting of {prompt}, soft washes of colour, visible paper texture, loose brush strokes',
      'photo, photorealistic, 3d render, hard edges',
    ),
    builtIn(
      'pixel-art',
      'Crisp retro pixel art with a limited palette.',
      'Pixel art of {prompt}, 16-bit retro game style, limited colour palette, crisp pixels',
      'blurry, smooth gradients, photo, anti-aliasing',
      '1:1',
    ),
    builtIn(
      'line-art',
      'Clean black ink line drawing on white.',
      'A clean black ink line drawing of {prompt}, white background, no shading, uniform line weight',
      'colour, shading, gradients, photo, texture',
    ),
  ].map((s) => [s.name, s]),
);
