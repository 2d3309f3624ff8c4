/** The SDK's own Client against the Worker running as a real process, over both transports. */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { TOKENS } from '../helpers/tokens';

const baseUrl = inject('baseUrl');
const auth = { headers: { Authorization: `Bearer ${TOKENS.alice}` } };

const transports: Record<string, () => Transport> = {
  'streamable HTTP on /mcp': () => new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), { requestInit: auth }),
  'streamable HTTP on /sse (tried first by Better Chatbot)': () =>
    new StreamableHTTPClientTransport(new URL(`${baseUrl}/sse`), { requestInit: auth }),
  'legacy SSE on /sse (MCP Inspector)': () => new SSEClientTransport(new URL(`${baseUrl}/sse`), { requestInit: auth }),
};

function textOf(result: Record<string, unknown>): string {
  return ((result.content ?? []) as Array<{ text?: string }>).map((c) => c.text ?? '').join('\n');
}

let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
});

interface WaitResult {
  status: string;
  jobs: Array<{ job_id: string; status: string; image_url: string; content_type: string }>;
}

describe.each(Object.entries(transports))('%s', (_name, makeTransport) => {
  it('initializes, lists tools and generates an image that loads without the token', async () => {
    client = new Client({ name: 'e2e', version: '1.0.0' });
    await client.connect(makeTransport());
    expect(client.getServerVersion()?.name).toBe('imagegen-mcp');
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('generate_image_and_wait');

    const result = await client.callTool({
      name: 'generate_image_and_wait',
      arguments: { prompt: 'a lighthouse', width: 320, height: 240, provider: 'placeholder' },
    });
    const structured = result.structuredContent as unknown as WaitResult;
    expect(structured.status).toBe('completed');
    const image = await fetch(structured.jobs[0]!.image_url);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect((await image.arrayBuffer()).byteLength).toBeGreaterThan(1000);
  });

  it('sends progress notifications while waiting when asked for them', async () => {
    client = new Client({ name: 'e2e', version: '1.0.0' });
    await client.connect(makeTransport());
    const progress: number[] = [];
    const result = await client.callTool(
      { name: 'generate_image_and_wait', arguments: { prompt: 'progress please' } },
      undefined,
      { onprogress: (p) => progress.push(p.progress) },
    );
    expect((result.structuredContent as unknown as WaitResult).status).toBe('completed');
    expect(progress.length).toBeGreaterThan(0);
  });

  it('reports a tool error for bad arguments and keeps serving', async () => {
    client = new Client({ name: 'e2e', version: '1.0.0' });
    await client.connect(makeTransport());
    const bad = await client.callTool({ name: 'generate_image', arguments: { prompt: 'x', count: 99 } });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/count/);
    const missing = await client.callTool({ name: 'get_job_status', arguments: { job_id: 'no-such-job' } });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toMatch(/No job with id "no-such-job"/);
    expect((await client.listTools()).tools.length).toBeGreaterThanOrEqual(6);
  });
});
