/**
 * Hostile input, generated: JSON-RPC envelopes, tool arguments, transform parameters, image paths, SSE
 * session ids and headers. The invariant everywhere: never a 5xx, always a JSON-RPC error, a tool error or a
 * clear 4xx; and the server still lists its tools afterwards.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeImage, MAX_DECODE_PIXELS } from '../../src/images/decode';
import { prepareMask } from '../../src/images/mask';
import { transformImage } from '../../src/images/transform';
import { canonicalQuery, parseTransformParams } from '../../src/images/transform-plan';
import { placeholderEdit } from '../../src/providers/placeholder-edit';
import { parseSse, request, rpc, rpcRaw } from '../helpers/mcp';
import { TOOL_NAMES } from '../helpers/tool-names';

/** Cases per property: enough to find shallow bugs while keeping the suite to seconds. */
const RUNS = 60;

/** Strings that break naive code: huge, unicode, control characters, lookalikes of real values. */
const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.constantFrom('', ' ', '\u0000', '../../etc/passwd', '%00', '𝕏'.repeat(5000), 'a'.repeat(70_000), '-1', 'NaN'),
  fc.constantFrom('image://', 'image://../x', '00000000-0000-0000-0000-000000000000', '__proto__', 'constructor'),
);

/** Any JSON, nested deeply now and then. */
const { tree: deepJson } = fc.letrec((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, true, false, 0, -1, 1e308, 0.5),
    nasty,
    fc.array(tie('tree'), { maxLength: 4 }),
    fc.dictionary(nasty, tie('tree'), { maxKeys: 4 }),
  ),
}));

/** A value that is sometimes of the right kind for an argument, mostly not. */
const argValue = fc.oneof(deepJson, fc.integer(), fc.double(), fc.constantFrom('placeholder', 'png', 'all'));

async function expectSound(response: Response, context: unknown): Promise<void> {
  expect(response.status, JSON.stringify(context).slice(0, 500)).toBeLessThan(500);
  if (response.status === 202) return;
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('text/event-stream')) {
    for (const event of parseSse(text)) expect(() => JSON.parse(event.data)).not.toThrow();
  } else if (type.includes('json')) {
    const body = JSON.parse(text) as Record<string, unknown> | Array<Record<string, unknown>>;
    for (const reply of Array.isArray(body) ? body : [body]) {
      if (response.status === 200) expect('result' in reply || 'error' in reply, text.slice(0, 300)).toBe(true);
      else expect(reply.error, text.slice(0, 300)).toBeDefined();
    }
  }
}

afterAll(async () => {
  // Whatever came before, the server still answers.
  const list = await rpc('tools/list');
  expect(list.result?.tools).toHaveLength(TOOL_NAMES.length);
});

describe('fuzzing', () => {
  it('JSON-RPC envelopes: anything posted to /mcp gets a JSON-RPC answer or a 4xx', async () => {
    const envelope = fc.oneof(
      deepJson,
      fc.record(
        {
          jsonrpc: fc.oneof(fc.constant('2.0'), argValue),
          id: fc.oneof(fc.integer(), fc.string(), fc.constant(null), deepJson),
          method: fc.oneof(
            fc.constantFrom('tools/list', 'tools/call', 'resources/read', 'initialize', 'ping', 'prompts/list'),
            nasty,
          ),
          params: deepJson,
        },
        { requiredKeys: [] },
      ),
      fc.array(fc.record({ jsonrpc: fc.constant('2.0'), id: fc.integer(), method: nasty }), { maxLength: 3 }),
    );
    await fc.assert(
      fc.asyncProperty(envelope, async (body) => {
        await expectSound(await rpcRaw(body), body);
      }),
      { numRuns: RUNS },
    );
    // Bodies that are not JSON at all.
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary' }), async (text) => {
        await expectSound(await rpcRaw(text), text);
      }),
      { numRuns: RUNS },
    );
  });

  it('tool arguments: wrong types, nulls, huge and unicode strings, deep nesting', async () => {
    const call = fc.record({
      name: fc.constantFrom(...TOOL_NAMES),
      arguments: fc.oneof(
        fc.dictionary(
          fc.constantFrom('prompt', 'job_id', 'job_ids', 'image_id', 'provider', 'model', 'width', 'height', 'count'),
          argValue,
          { maxKeys: 5 },
        ),
        deepJson,
      ),
    });
    await fc.assert(
      fc.asyncProperty(call, async (params) => {
        // A short wait bound keeps a valid generate-and-wait from holding the run.
        const args =
          params.arguments && typeof params.arguments === 'object' && !Array.isArray(params.arguments)
            ? { ...params.arguments, timeout_seconds: 1 }
            : params.arguments;
        const response = await rpcRaw({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { ...params, arguments: args },
        });
        await expectSound(response, params);
      }),
      { numRuns: RUNS },
    );
  });

  it('transform parameters: refused with a 400 naming the problem, or applied; never a 5xx', async () => {
    const known = ['width', 'height', 'format', 'quality', 'rotate', 'flip', 'crop_x', 'crop_y', 'crop_w', 'crop_h'];
    const query = fc.dictionary(
      // An empty name is dropped by query parsing, so it is left out here.
      fc.oneof(
        fc.constantFrom(...known),
        nasty.filter((name) => name !== ''),
      ),
      fc.oneof(fc.integer({ min: -5, max: 70_000 }).map(String), nasty, fc.constantFrom('jpeg', 'webp', 'h', '90')),
      { maxKeys: 4 },
    );
    await fc.assert(
      fc.asyncProperty(query, async (params) => {
        let valid = true;
        try {
          canonicalQuery(parseTransformParams(params));
        } catch {
          valid = false;
        }
        const search = new URLSearchParams({ ...params, exp: '9999999999', sig: 'x' });
        const response = await request(`/images/${crypto.randomUUID()}.png?${search}`, { token: null });
        await expectSound(response, params);
        // Invalid parameters are refused before the signature is even looked at; valid ones fail it.
        expect(response.status, JSON.stringify(params)).toBe(valid ? 404 : 400);
      }),
      { numRuns: RUNS },
    );
  });

  it('image headers declaring huge canvases: refused from the header on every decoding path', async () => {
    /** The smallest headers each format's size is read from, declaring width x height. */
    const headers = {
      png: (w: number, h: number) => {
        const b = new Uint8Array(33);
        b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
        new DataView(b.buffer).setUint32(16, w);
        new DataView(b.buffer).setUint32(20, h);
        return b;
      },
      gif: (w: number, h: number) => Uint8Array.from([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, w, w >> 8, h, h >> 8, 0, 0]),
      jpeg: (w: number, h: number) =>
        Uint8Array.from([0xff, 0xd8, 0xff, 0xc0, 0, 17, 8, h >> 8, h, w >> 8, w, 3, 0, 0, 0, 0, 0, 0, 0, 0]),
      webp: (w: number, h: number) => {
        const b = new Uint8Array(30);
        b.set([...'RIFF'].map((c) => c.charCodeAt(0)));
        b.set(
          [...'WEBPVP8X'].map((c) => c.charCodeAt(0)),
          8,
        );
        b.set([10, 0, 0, 0, 0, 0, 0, 0, w - 1, (w - 1) >> 8, (w - 1) >> 16, h - 1, (h - 1) >> 8, (h - 1) >> 16], 16);
        return b;
      },
    };
    const largest = { png: 0x7fffffff, gif: 0xffff, jpeg: 0xffff, webp: 0xffffff };
    const huge = fc
      .constantFrom(...(Object.keys(headers) as Array<keyof typeof headers>))
      .chain((format) =>
        fc.tuple(
          fc.constant(format),
          fc.integer({ min: 1, max: largest[format] }),
          fc.integer({ min: 1, max: largest[format] }),
        ),
      )
      .filter(([, w, h]) => w * h > MAX_DECODE_PIXELS);
    const request = { prompt: 'x', negativePrompt: null, model: 'placeholder', width: 8, height: 8 };
    const rest = { aspectRatio: null, resolution: null, seed: 1, steps: null, quality: null };
    await fc.assert(
      fc.asyncProperty(huge, async ([format, w, h]) => {
        const bytes = headers[format](w, h);
        const image = { bytes, contentType: `image/${format}`, width: 8, height: 8 };
        const paths = {
          decode: () => decodeImage(bytes, 'image'),
          mask: () => prepareMask(bytes, 8, 8),
          transform: () =>
            transformImage(bytes, () => {
              throw new Error('planned: the size was not checked first');
            }),
          'placeholder edit': () =>
            placeholderEdit({ ...request, ...rest, outputFormat: null, background: null, images: [image] }, 1),
        };
        for (const [path, run] of Object.entries(paths)) {
          const error = await run().then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error, `${path}: ${format} ${w}x${h}`).toMatchObject({ code: 'payload_too_large' });
          expect(String(error)).toContain(`${w}x${h}`);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('image paths and signatures: tampered, expired, traversal', async () => {
    const path = fc.oneof(
      nasty.map((s) => `/images/${encodeURIComponent(s)}`),
      fc.constantFrom(
        '/images/../mcp',
        '/images/%2e%2e/%2e%2e/etc/passwd',
        '/images/00000000-0000-0000-0000-000000000000.png?exp=1&sig=AAAA',
        '/images/00000000-0000-0000-0000-000000000000.png?exp=-1&sig=',
        '/images/00000000-0000-0000-0000-000000000000.png?exp=99999999999999999999&sig=%00',
      ),
    );
    await fc.assert(
      fc.asyncProperty(path, async (p) => {
        await expectSound(await request(p, { token: null }), p);
      }),
      { numRuns: RUNS },
    );
  });

  it('SSE session ids, and headers on /mcp', async () => {
    await fc.assert(
      fc.asyncProperty(nasty, async (sessionId) => {
        const response = await request(`/sse/message?sessionId=${encodeURIComponent(sessionId)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
        });
        await expectSound(response, sessionId);
        expect(response.status).toBeGreaterThanOrEqual(400);
      }),
      { numRuns: RUNS },
    );
    const header = fc.constantFrom(
      'accept',
      'content-type',
      'mcp-protocol-version',
      'mcp-session-id',
      'origin',
      'authorization',
      'last-event-id',
    );
    // Header values must be ByteStrings without line breaks, or Request itself refuses them.
    const headerValue = fc.string({ unit: 'binary-ascii', maxLength: 200 }).map((s) => s.replace(/[\r\n\0]/g, ''));
    await fc.assert(
      fc.asyncProperty(fc.dictionary(header, headerValue, { maxKeys: 4 }), async (headers) => {
        const response = await rpcRaw({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { headers });
        await expectSound(response, headers);
      }),
      { numRuns: RUNS },
    );
  });
});
