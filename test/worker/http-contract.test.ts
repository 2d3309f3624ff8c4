/** The HTTP contract of every route: auth, origins, errors and the Streamable HTTP rules. */
import { describe, expect, it } from 'vitest';
import { callToolStreamed, request, rpc, rpcRaw, TOKENS } from '../helpers/mcp';
import { TOOL_NAMES } from '../helpers/tool-names';

const MCP_ROUTES = [
  { name: 'POST /mcp', path: '/mcp', method: 'POST' },
  { name: 'POST /sse (Streamable HTTP)', path: '/sse', method: 'POST' },
  { name: 'GET /sse', path: '/sse', method: 'GET' },
  { name: 'POST /sse/message', path: `/sse/message?sessionId=${crypto.randomUUID()}`, method: 'POST' },
];
const listBody = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });

describe.each(MCP_ROUTES)('$name', ({ path, method }) => {
  const init = (token: string | null, headers: Record<string, string> = {}) => ({
    method,
    token,
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    ...(method === 'POST' && { body: listBody }),
  });

  it('answers 401 with WWW-Authenticate without a token, or with a wrong one', async () => {
    for (const token of [null, 'tok-wrong-0123456789abcdef', `${TOKENS.alice}x`]) {
      const response = await request(path, init(token));
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const body = (await response.json()) as { error: { message: string } };
      expect(body.error.message).toMatch(/token/i);
    }
  });

  it('answers 403 to a browser origin outside the allow-list, even with a valid token', async () => {
    const response = await request(path, init(TOKENS.alice, { origin: 'https://evil.example' }));
    expect(response.status).toBe(403);
    expect(JSON.stringify(await response.json())).toMatch(/ALLOWED_ORIGINS/);
  });
});

describe('HTTP surface', () => {
  it('serves /health without a token', async () => {
    const response = await request('/health', { token: null });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok' });
  });

  it('answers unknown routes 404 with a JSON error', async () => {
    const response = await request('/nope', { token: null });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toEqual({ error: { code: 'not_found', message: 'No route for GET /nope.' } });
  });

  it('gives allowed origins CORS headers and answers preflight', async () => {
    const preflight = await request('/mcp', {
      method: 'OPTIONS',
      token: null,
      headers: { origin: 'http://localhost:6274', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:6274');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    const response = await rpcRaw(
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { headers: { origin: 'http://localhost' } },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost');
  });

  it('answers GET and DELETE /mcp with 405', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await request('/mcp', { method, headers: { accept: 'text/event-stream' } });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
    }
  });

  it('answers a POST of notifications only with 202', async () => {
    const response = await rpcRaw({ jsonrpc: '2.0', method: 'notifications/initialized' });
    expect(response.status).toBe(202);
  });

  it('answers an unsupported MCP-Protocol-Version with 400', async () => {
    const response = await rpcRaw(listBody, { headers: { 'mcp-protocol-version': '1999-01-01' } });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toMatch(/Unsupported protocol version/);
  });

  it('maps malformed requests to JSON-RPC errors', async () => {
    const parse = await rpcRaw('{"jsonrpc": "2.0", "id": 1, "method": ');
    expect(parse.status).toBe(400);
    expect(await parse.json()).toMatchObject({ error: { code: -32700 } });

    const invalid = await rpcRaw({ hello: 'world' });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: { code: -32600 } });

    expect(await rpc('no/such/method')).toMatchObject({ error: { code: -32601 } });
    expect(await rpc('tools/call', { name: 42 })).toMatchObject({ error: { code: -32602 } });
  });

  it('reports bad tool arguments and unknown tools as errors that say what to fix', async () => {
    const bad = await rpc('tools/call', { name: 'generate_image', arguments: { prompt: '', count: 0 } });
    const result = bad.result as { isError: boolean; content: Array<{ text: string }> };
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toMatch(/prompt/);
    expect(result.content[0]?.text).toMatch(/count/);
    const unknown = await rpc('tools/call', { name: 'make_coffee', arguments: {} });
    expect(JSON.stringify(unknown)).toMatch(/make_coffee/);
  });

  it('refuses bodies over the limit with 413', async () => {
    const huge = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'generate_image', arguments: { prompt: 'x'.repeat(2 * 1024 * 1024) } },
    });
    const response = await rpcRaw(huge);
    expect(response.status).toBe(413);
    expect(JSON.stringify(await response.json())).toMatch(/larger than/);
  });

  it('serves curl clients that send no Accept header plain JSON', async () => {
    const response = await request('/mcp', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: listBody,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(((await response.json()) as { result: { tools: unknown[] } }).result.tools.length).toBe(TOOL_NAMES.length);
  });

  it('streams progress notifications as SSE when the client sends a progress token', async () => {
    const { contentType, messages } = await callToolStreamed(
      9,
      'generate_image_and_wait',
      { prompt: 'progress', provider: 'placeholder' },
      'p1',
    );
    expect(contentType).toContain('text/event-stream');
    expect(messages.some((m) => m.method === 'notifications/progress' && m.params.progressToken === 'p1')).toBe(true);
    expect(messages.at(-1)).toMatchObject({ id: 9, result: { structuredContent: { status: 'completed' } } });
  });

  it('keeps serving after every kind of bad request', async () => {
    const reply = await rpc('tools/list');
    expect(reply.result?.tools).toHaveLength(TOOL_NAMES.length);
  });
});
