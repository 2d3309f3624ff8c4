/**
 * MCP 2026-07-28 on /mcp, sent as a raw client of that revision would: no initialize, the `_meta` envelope and
 * the standard headers on every request (modelcontextprotocol.io/specification/2026-07-28).
 */
import { describe, expect, it } from 'vitest';
import { rpcRaw } from '../helpers/mcp';
import { MODERN, modernBody, modernHeaders, modernRpc } from '../helpers/modern';
import { TOOL_NAMES } from '../helpers/tool-names';

const SERVER_INFO_KEY = 'io.modelcontextprotocol/serverInfo';

describe('2026-07-28: discovery', () => {
  it('answers server/discover with the revision, honest capabilities, instructions and its identity', async () => {
    const { status, reply } = await modernRpc('server/discover');
    expect(status).toBe(200);
    const result = reply.result!;
    expect(result.supportedVersions).toContain(MODERN);
    expect(result.resultType).toBe('complete');
    expect(result.instructions).toMatch(/generate_image_and_wait/);
    expect((result._meta as Record<string, unknown>)[SERVER_INFO_KEY]).toMatchObject({ name: 'imagegen-mcp' });
    // Nothing is ever announced, so nothing claims list_changed or subscriptions; tasks are an extension.
    expect(result.capabilities).toEqual({
      tools: { listChanged: false },
      resources: { listChanged: false },
      prompts: { listChanged: false },
      completions: {},
      logging: {},
      extensions: {
        'io.modelcontextprotocol/tasks': {},
        'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] },
      },
    });
    expect(result).toMatchObject({ ttlMs: 300_000, cacheScope: 'public' });
  });
});

describe('2026-07-28: lists carry resultType and caching hints', () => {
  it.each([
    ['tools/list', 'public'],
    ['prompts/list', 'public'],
    ['resources/templates/list', 'public'],
    ['resources/list', 'private'],
  ] as const)('%s is cacheable %s', async (method, scope) => {
    const { reply } = await modernRpc(method);
    expect(reply.error).toBeUndefined();
    expect(reply.result).toMatchObject({ resultType: 'complete', cacheScope: scope });
    expect(reply.result!.ttlMs).toBe(scope === 'public' ? 300_000 : 0);
  });

  it('lists every tool, with JSON Schema 2020-12 input schemas', async () => {
    const tools = (await modernRpc('tools/list')).reply.result!.tools as Array<{ name: string; inputSchema: object }>;
    expect(tools.map((t) => t.name)).toEqual([...TOOL_NAMES]);
    for (const tool of tools) expect(tool.inputSchema).toMatchObject({ type: 'object' });
  });
});

describe('2026-07-28: the envelope and headers are checked, and every error names the request', () => {
  it('refuses a malformed envelope key with -32602, echoing the id', async () => {
    const body = modernBody('tools/list', {}, { meta: { 'io.modelcontextprotocol/clientCapabilities': 'none' } });
    const response = await rpcRaw(body, { headers: modernHeaders('tools/list') });
    const reply = (await response.json()) as { id: number; error: { code: number; message: string } };
    expect(response.status).toBe(400);
    expect(reply).toMatchObject({ id: body.id, error: { code: -32602 } });
    expect(reply.error.message).toMatch(/clientCapabilities/);
  });

  it('refuses a request whose header names 2026-07-28 but whose body carries no envelope (-32602)', async () => {
    const response = await rpcRaw(
      { jsonrpc: '2.0', id: 77, method: 'tools/list' },
      { headers: modernHeaders('tools/list') },
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ id: 77, error: { code: -32602 } });
  });

  it('refuses a revision it does not speak with -32022 naming the ones it does', async () => {
    const body = modernBody('tools/list', {}, { meta: { 'io.modelcontextprotocol/protocolVersion': '2099-01-01' } });
    const response = await rpcRaw(body, {
      headers: { ...modernHeaders('tools/list'), 'mcp-protocol-version': '2099-01-01' },
    });
    const reply = (await response.json()) as { id: number; error: { code: number; data: { supported: string[] } } };
    expect(response.status).toBe(400);
    expect(reply).toMatchObject({ id: body.id, error: { code: -32022 } });
    expect(reply.error.data.supported).toContain(MODERN);
  });

  it('refuses an Mcp-Method header that disagrees with the body (-32020)', async () => {
    const { status, reply } = await modernRpc('tools/list', {}, { headers: { 'mcp-method': 'tools/call' } });
    expect(status).toBe(400);
    expect(reply.error?.code).toBe(-32020);
    expect(reply.id).not.toBeNull();
  });

  it('refuses a tools/call without its Mcp-Name header, or with another name (-32020)', async () => {
    const params = { name: 'list_jobs', arguments: {} };
    const missing = await modernRpc('tools/call', params, { omitHeaders: ['mcp-name'] });
    expect([missing.status, missing.reply.error?.code]).toEqual([400, -32020]);
    const other = await modernRpc('tools/call', params, { headers: { 'mcp-name': 'delete_image' } });
    expect([other.status, other.reply.error?.code]).toEqual([400, -32020]);
  });

  it('refuses a request without MCP-Protocol-Version', async () => {
    const { status, reply } = await modernRpc('tools/list', {}, { omitHeaders: ['mcp-protocol-version'] });
    expect(status).toBe(400);
    expect(reply.error).toBeDefined();
    expect(reply.id).not.toBeNull();
  });

  it('names the request in the error even when the message itself is invalid', async () => {
    const body = { ...modernBody('tools/list'), jsonrpc: '1.0' };
    const response = await rpcRaw(body, { headers: modernHeaders('tools/list') });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ id: body.id, error: { code: -32600 } });
  });

  it('answers an unknown tool with a protocol error, not a tool result', async () => {
    const { reply } = await modernRpc('tools/call', { name: 'no_such_tool', arguments: {} });
    expect(reply.result).toBeUndefined();
    expect(reply.error).toMatchObject({ code: -32602, message: expect.stringMatching(/no_such_tool/) });
  });

  it('answers a missing resource with -32602 and its URI (SEP-2164)', async () => {
    const uri = 'image://00000000-0000-0000-0000-000000000000';
    const { reply } = await modernRpc('resources/read', { uri });
    expect(reply.error).toMatchObject({ code: -32602, data: { uri } });
  });

  it.each(['tasks/list', 'logging/setLevel', 'ping'])('has no 2025-only method %s (-32601)', async (method) => {
    const params: Record<string, unknown> = method === 'logging/setLevel' ? { level: 'debug' } : {};
    const { reply } = await modernRpc(method, params);
    expect(reply.error?.code).toBe(-32601);
  });
});

describe('2026-07-28: tools', () => {
  const generate = {
    name: 'generate_image_and_wait',
    arguments: { prompt: 'a modern pony', provider: 'placeholder', width: 64, height: 64 },
  };

  it('generates and waits, in one JSON reply when the call asks for no log entries', async () => {
    const { contentType, reply, messages } = await modernRpc('tools/call', generate);
    expect(contentType).toMatch(/application\/json/);
    expect(messages).toHaveLength(1);
    expect(reply.result).toMatchObject({ resultType: 'complete', structuredContent: { status: 'completed' } });
  });

  it('streams log entries only at the level the request asks for', async () => {
    const { contentType, messages, reply } = await modernRpc('tools/call', generate, {
      meta: { 'io.modelcontextprotocol/logLevel': 'info' },
    });
    expect(contentType).toMatch(/text\/event-stream/);
    const logs = messages.filter((m) => m.method === 'notifications/message');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.every((m) => (m.params as { level: string }).level !== 'debug')).toBe(true);
    expect(reply.result).toMatchObject({ structuredContent: { status: 'completed' } });
  });
});

describe('the 2025 era on the same endpoint', () => {
  it.each(['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25'])(
    'initializes at %s and serves it',
    async (version) => {
      const init = await rpcRaw({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 'legacy', version: '1' } },
      });
      const reply = (await init.json()) as {
        result: { protocolVersion: string; capabilities: Record<string, unknown> };
      };
      expect(reply.result.protocolVersion).toBe(version);
      expect(reply.result.capabilities).toMatchObject({ tools: { listChanged: false }, logging: {} });
      const headers = { 'mcp-protocol-version': version };
      const ping = await rpcRaw({ jsonrpc: '2.0', id: 2, method: 'ping' }, { headers });
      expect(await ping.json()).toMatchObject({ id: 2, result: {} });
      const tools = await rpcRaw({ jsonrpc: '2.0', id: 3, method: 'tools/list' }, { headers });
      const listed = (await tools.json()) as { result: { tools: Array<{ name: string }>; resultType?: string } };
      expect(listed.result.tools.map((t) => t.name)).toEqual([...TOOL_NAMES]);
      // 2025-era replies carry none of the 2026-07-28 fields.
      expect(listed.result).not.toHaveProperty('resultType');
      expect(listed.result).not.toHaveProperty('ttlMs');
    },
  );
});
