/** The Worker with no token configured: localhost only, unless the operator opts into anonymous use. */
import { createExecutionContext, env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';

const list = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });

function fetchWith(url: string, settings: Partial<Env>) {
  const request = new Request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: list,
  });
  return worker.fetch(request, { ...env, AUTH_TOKENS: undefined, ...settings }, createExecutionContext());
}

describe('no token configured', () => {
  it('serves requests to localhost', async () => {
    for (const url of ['http://localhost:8787/mcp', 'http://127.0.0.1:8787/mcp', 'http://[::1]:8787/mcp']) {
      expect((await fetchWith(url, {})).status, url).toBe(200);
    }
  });

  it('refuses remote callers with a message that says how to configure a token', async () => {
    const response = await fetchWith('https://imagegen.someone.workers.dev/mcp', {});
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(JSON.stringify(await response.json())).toMatch(/wrangler secret put AUTH_TOKEN/);
  });

  it('serves remote callers when ALLOW_ANONYMOUS is set', async () => {
    const response = await fetchWith('https://imagegen.someone.workers.dev/mcp', { ALLOW_ANONYMOUS: 'true' });
    expect(response.status).toBe(200);
  });

  it('accepts the single AUTH_TOKEN as the subject "default"', async () => {
    const request = new Request('https://imagegen.someone.workers.dev/mcp', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer x' },
      body: list,
    });
    const response = await worker.fetch(
      request,
      { ...env, AUTH_TOKENS: undefined, AUTH_TOKEN: 'x' },
      createExecutionContext(),
    );
    expect(response.status).toBe(200);
  });

  it('reports a broken configuration clearly instead of crashing', async () => {
    const response = await fetchWith('http://localhost/mcp', { AUTH_TOKENS: '{not json' });
    expect(response.status).toBe(500);
    expect(JSON.stringify(await response.json())).toMatch(/AUTH_TOKENS: must be a JSON object/);
  });
});
