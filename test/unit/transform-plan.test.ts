/** Transform planning as plain data: parameter parsing, canonical strings, bounds, and the plan's geometry. */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors';
import { boxReduce, orientPixels } from '../../src/images/transform';
import {
  canonicalQuery,
  normaliseTransformParams,
  parseTransformParams,
  planTransform,
  type TransformParams,
} from '../../src/images/transform-plan';

const png = (width: number, height: number) => ({ width, height, contentType: 'image/png' });

function failure(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('parseTransformParams', () => {
  it('parses every parameter and fills in defaults', () => {
    expect(
      parseTransformParams({
        crop_x: '1',
        crop_y: '2',
        crop_w: '30',
        crop_h: '10',
        rotate: '270',
        flip: 'vh',
        width: '20',
        height: '5',
        format: 'jpg',
      }),
    ).toEqual({
      crop: { x: 1, y: 2, width: 30, height: 10 },
      rotate: 270,
      flip: 'hv',
      width: 20,
      height: 5,
      format: 'jpeg',
      quality: 85,
    });
    expect(parseTransformParams({})).toEqual({});
    expect(parseTransformParams({ rotate: '0', width: undefined })).toEqual({});
  });

  it('gives equivalent requests one canonical string, in a fixed order', () => {
    const a = canonicalQuery(parseTransformParams({ format: 'jpg', flip: 'vh', width: '10' }));
    const b = canonicalQuery(parseTransformParams({ width: '10', flip: 'hv', quality: '85', format: 'jpeg' }));
    expect(a).toBe('flip=hv&width=10&format=jpeg&quality=85');
    expect(b).toBe(a);
    expect(canonicalQuery(parseTransformParams({ rotate: '0' }))).toBe('');
  });

  it.each([
    [{ width: '100000' }, /"width" must be a whole number from 1 to 4096/],
    [{ height: '0' }, /"height" must be a whole number from 1 to 4096/],
    [{ width: '1e3' }, /"width" must be a whole number/],
    [{ width: '-5' }, /"width" must be a whole number/],
    [{ width: '4096', height: '4000' }, /4096x4000 \(16384000 pixels\); the limit is 2097152/],
    [{ rotate: '45' }, /"rotate" must be 0, 90, 180 or 270/],
    [{ flip: 'x' }, /"flip" must be h, v or hv/],
    [{ format: 'gif' }, /"format" must be png, jpeg or webp/],
    [{ format: 'jpeg', quality: '101' }, /"quality" must be a whole number from 1 to 100/],
    [{ quality: '50' }, /"quality" applies only with format=jpeg/],
    [{ format: 'png', quality: '50' }, /"quality" applies only with format=jpeg/],
    [{ crop_x: '0', crop_y: '0', crop_w: '5' }, /a crop needs all of crop_x, crop_y, crop_w, crop_h/],
    [{ widht: '10' }, /unknown parameter "widht" \(known: crop_x, .*width/],
  ])('rejects %j with a 400 naming the parameter', (query, message) => {
    const error = failure(() => parseTransformParams(query));
    expect(error.code).toBe('bad_request');
    expect(error.message).toMatch(message);
  });

  it('holds params built in code to the same rules', () => {
    expect(normaliseTransformParams({ format: 'jpeg' })).toEqual({ format: 'jpeg', quality: 85 });
    for (const bad of [{ width: 1.5 }, { width: 5000 }, { format: 'png', quality: 10 }] as TransformParams[]) {
      expect(failure(() => normaliseTransformParams(bad)).code).toBe('bad_request');
    }
  });
});

describe('planTransform', () => {
  it('keeps the aspect ratio when one side is given', () => {
    expect(planTransform({ width: 20 }, png(40, 20))).toMatchObject({
      crop: null,
      resize: { width: 20, height: 10 },
      output: { width: 20, height: 10, format: 'png', contentType: 'image/png' },
    });
    expect(planTransform({ height: 7 }, png(40, 20)).output).toMatchObject({ width: 14, height: 7 });
  });

  it('centre-crops to fill when both sides are given', () => {
    expect(planTransform({ width: 10, height: 10 }, png(40, 20))).toMatchObject({
      crop: { x: 10, y: 0, width: 20, height: 20 },
      resize: { width: 10, height: 10 },
      output: { width: 10, height: 10 },
    });
    expect(planTransform({ width: 40, height: 10 }, png(40, 40)).crop).toEqual({ x: 0, y: 15, width: 40, height: 10 });
  });

  it('fits inside both sides with fit=contain, which only both sides make meaningful', () => {
    expect(planTransform({ width: 10, height: 10, fit: 'contain' }, png(40, 20))).toMatchObject({
      crop: null,
      resize: { width: 10, height: 5 },
      output: { width: 10, height: 5 },
    });
    // A quarter turn: the oriented 20x40 fits 10x10 as 5x10, resized before turning as 10x5.
    expect(planTransform({ width: 10, height: 10, fit: 'contain', rotate: 90 }, png(40, 20))).toMatchObject({
      resize: { width: 10, height: 5 },
      output: { width: 5, height: 10 },
    });
    expect(canonicalQuery(parseTransformParams({ width: '10', height: '10', fit: 'contain' }))).toBe(
      'width=10&height=10&fit=contain',
    );
    // cover is the default, and fit with one side changes nothing: both are dropped from the canonical form.
    expect(canonicalQuery(parseTransformParams({ width: '10', height: '10', fit: 'cover' }))).toBe(
      'width=10&height=10',
    );
    expect(canonicalQuery(parseTransformParams({ width: '10', fit: 'contain' }))).toBe('width=10');
    expect(failure(() => parseTransformParams({ fit: 'stretch' })).message).toMatch(/"fit" must be cover or contain/);
  });

  it('crops first, resizes before orienting (sides swapped for quarter turns), and folds flips into turns', () => {
    const plan = planTransform(
      { crop: { x: 10, y: 0, width: 30, height: 20 }, rotate: 90, width: 10 },
      { width: 40, height: 20, contentType: 'image/jpeg' },
    );
    expect(plan).toEqual({
      crop: { x: 10, y: 0, width: 30, height: 20 },
      resize: { width: 15, height: 10 },
      turns: 1,
      mirror: false,
      output: { width: 10, height: 15, format: 'jpeg', quality: 85, contentType: 'image/jpeg' },
    });
    expect(planTransform({ flip: 'v' }, png(4, 2))).toMatchObject({ turns: 2, mirror: true, resize: null });
    expect(planTransform({ rotate: 180, flip: 'hv' }, png(4, 2))).toMatchObject({ turns: 0, mirror: false });
    expect(planTransform({ format: 'webp' }, { ...png(4, 2), contentType: 'image/gif' }).output.format).toBe('webp');
    expect(planTransform({ rotate: 90 }, { ...png(4, 2), contentType: 'image/gif' }).output.format).toBe('png');
  });

  it.each([
    [{ crop: { x: 30, y: 0, width: 20, height: 10 } }, png(40, 20), 'bad_request', /reaches outside the 40x20 source/],
    [{ width: 4096 }, png(10, 1000), 'bad_request', /4096x409600; each side may be at most 4096/],
    [{ rotate: 90 }, png(5000, 10), 'bad_request', /10x5000; each side may be at most 4096/],
    [{ width: 10 }, { ...png(4, 4), contentType: 'image/svg+xml' }, 'bad_request', /image\/svg\+xml cannot be/],
  ] as const)('refuses %j on %j before decoding', (params, source, code, message) => {
    const error = failure(() => planTransform(params, source));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });
});

describe('orientPixels', () => {
  // A reference built from the definition: turn clockwise one quarter at a time, then mirror.
  function reference(grid: number[][], turns: number, mirror: boolean): number[][] {
    let g = grid;
    for (let t = 0; t < turns; t++) g = g[0]!.map((_, x) => g.map((row) => row[x]!).reverse());
    return mirror ? g.map((row) => [...row].reverse()) : g;
  }

  it.each([0, 1, 2, 3].flatMap((turns) => [false, true].map((mirror) => [turns, mirror] as const)))(
    'turns %i, mirror %s move whole pixels as a clockwise rotation then a mirror',
    (turns, mirror) => {
      const grid = [
        [1, 2, 3],
        [4, 5, 6],
      ];
      const rgba = new Uint8Array(new Uint32Array(grid.flat()).buffer);
      const out = new Uint32Array(orientPixels(rgba, 3, 2, turns, mirror).buffer);
      const expected = reference(grid, turns, mirror);
      expect([...out]).toEqual(expected.flat());
    },
  );
});

describe('boxReduce', () => {
  it('averages whole blocks, rounding, and leaves out edges that do not fill one', () => {
    // 5x2 pixels (RGBA); factor 2 gives 2x1 from the first four columns, the fifth left out.
    const px = (r: number, g: number, b: number, a = 255) => [r, g, b, a];
    const rgba = new Uint8Array([
      ...px(0, 0, 0),
      ...px(255, 0, 10),
      ...px(10, 20, 30),
      ...px(20, 30, 40),
      ...px(99, 99, 99),
      ...px(255, 255, 0),
      ...px(1, 0, 10),
      ...px(30, 40, 50),
      ...px(40, 50, 60, 0),
      ...px(99, 99, 99),
    ]);
    const reduced = boxReduce(rgba, 5, 2, 2);
    expect([reduced.width, reduced.height]).toEqual([2, 1]);
    expect([...reduced.pixels]).toEqual([128, 64, 5, 255, 25, 35, 45, 191]);
  });
});
