/**
 * Raw HTTP as a client of revision 2026-07-28 sends it (no initialize; the `_meta` envelope and the
 * MCP-Protocol-Version, Mcp-Method and Mcp-Name headers on every POST), against the Worker as a real process.
 */
import { describe, expect, it } from 'vitest';
import { modernBody, modernHeaders } from '../helpers/modern-request';
import { postMcp } from './rpc';

const TASKS = { 'io.modelcontextprotocol/clientCapabilities': { extensions: { 'io.modelcontextprotocol/tasks': {} } } };

interface Reply {
  id: number;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
}

async function post(
  method: string,
  params: Record<string, unknown> = {},
  meta: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  const response = await postMcp(modernBody(method, params, { meta }), {
    Accept: 'application/json',
    ...modernHeaders(method, params),
    ...headers,
  });
  expect(response.headers.get('content-type')).toContain('application/json');
  return { status: response.status, reply: (await response.json()) as Reply };
}

describe('curl-style 2026-07-28', () => {
  it('discovers the server, then generates an image that loads without the token', async () => {
    const discover = await post('server/discover');
    expect(discover.reply.result?.supportedVersions).toContain('2026-07-28');

    const { reply } = await post('tools/call', {
      name: 'generate_image_and_wait',
      arguments: { prompt: 'a curl-made comet', provider: 'placeholder', width: 256, height: 256 },
    });
    const result = reply.result as { resultType: string; structuredContent: { jobs: Array<{ image_url: string }> } };
    expect(result.resultType).toBe('complete');
    const image = await fetch(result.structuredContent.jobs[0]!.image_url);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
  });

  it('runs a generation as a task (the Tasks extension) and polls it to its result', async () => {
    const started = await post(
      'tools/call',
      { name: 'generate_image_and_wait', arguments: { prompt: 'a task comet', provider: 'placeholder' } },
      TASKS,
    );
    const handle = started.reply.result as { resultType: string; taskId: string; pollIntervalMs: number };
    expect(handle.resultType).toBe('task');
    let task: Record<string, unknown> = {};
    for (let i = 0; i < 100 && task.status !== 'completed'; i++) {
      task = (await post('tasks/get', { taskId: handle.taskId }, TASKS)).reply.result ?? {};
      if (task.status !== 'completed') await new Promise((r) => setTimeout(r, 100));
    }
    expect(task).toMatchObject({ status: 'completed', result: { structuredContent: { status: 'completed' } } });
  });

  it('refuses what a 2026-07-28 request must not be: a header that disagrees, an unknown revision', async () => {
    const mismatch = await postMcp(modernBody('tools/list'), {
      ...modernHeaders('tools/list'),
      'mcp-method': 'prompts/list',
    });
    expect(mismatch.status).toBe(400);
    expect(((await mismatch.json()) as Reply).error?.code).toBe(-32020);
    const future = await post(
      'tools/list',
      {},
      { 'io.modelcontextprotocol/protocolVersion': '2099-01-01' },
      { 'mcp-protocol-version': '2099-01-01' },
    );
    expect(future.status).toBe(400);
    expect(future.reply.error?.code).toBe(-32022);
  });
});
