/**
 * Hostile input, generated: JSON-RPC envelopes, tool arguments, transform parameters, image paths, SSE
 * session ids and headers. The invariant everywhere: never a 5xx, always a JSON-RPC error, a tool error or a
 * clear 4xx; and the server still lists its tools afterwards.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalQuery, parseTransformParams } from '../../src/images/transform-plan';
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
