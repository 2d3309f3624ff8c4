/** Raw HTTP, the way a curl + jq script drives the server (as in the README). */
import { describe, expect, inject, it } from 'vitest';
import { TOKENS } from '../helpers/tokens';
import { callTool, postMcp } from './rpc';

const baseUrl = inject('baseUrl');
async function call(name: string, args: Record<string, unknown>) {
  const result = await callTool(name, args);
  expect(result.response.status).toBe(200);
  expect(result.response.headers.get('content-type')).toContain('application/json');
  return result;
}

const post = postMcp;

describe('curl-style JSON-RPC', () => {
  it('runs the async pattern: generate_image, then wait_for_completion on the job ids', async () => {
    const started = await call('generate_image', { prompt: 'a mountain landscape', count: 2 });
    const jobIds = started.structuredContent.job_ids ?? [];
    expect(jobIds).toHaveLength(2);
    const done = await call('wait_for_completion', { job_ids: jobIds });
    expect(done.structuredContent.status).toBe('completed');
    for (const job of done.structuredContent.jobs ?? []) {
      const image = await fetch(job.image_url ?? '');
      expect(image.status).toBe(200);
      expect(image.headers.get('content-type')).toBe('image/png');
    }
  });

  it('keeps the Workers server argument names working', async () => {
    const result = await call('list_jobs', { status: 'completed', limit: 5, offset: 0 });
    expect(result.isError).toBeFalsy();
    expect(Array.isArray(result.structuredContent.jobs)).toBe(true);
    const gallery = await call('list_generations', { limit: 5 });
    expect(gallery.structuredContent.generations?.length).toBeGreaterThan(0);
  });

  it('answers protocol and HTTP errors with clear JSON, never a 5xx', async () => {
    const checks: Array<[Promise<Response>, number]> = [
      [fetch(`${baseUrl}/mcp`, { headers: { Authorization: `Bearer ${TOKENS.alice}` } }), 405],
      [fetch(`${baseUrl}/mcp`, { method: 'POST', body: '{}' }), 401],
      [post('{oops'), 400],
      [post({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { 'MCP-Protocol-Version': '1900-01-01' }), 400],
      [post({ jsonrpc: '2.0', id: 1, method: 'x', params: { blob: 'y'.repeat(1_100_000) } }), 413],
      [fetch(`${baseUrl}/does-not-exist`), 404],
    ];
    for (const [pending, status] of checks) {
      const response = await pending;
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toContain('application/json');
      expect(JSON.stringify(await response.json())).not.toMatch(/ at .*\.(js|ts):\d+/);
    }
    const health = await fetch(`${baseUrl}/health`);
    expect(health.status).toBe(200);
  });
});
