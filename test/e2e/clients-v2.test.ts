/**
 * The v2 SDK client (@modelcontextprotocol/client) against the Worker as a real process: negotiating 2026-07-28
 * (server/discover, then per-request envelopes) on /mcp and on /sse, and staying on the 2025 handshake when
 * told to, as hosts that have not opted in do.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { TOKENS } from '../helpers/tokens';

const baseUrl = inject('baseUrl');
const auth = { headers: { Authorization: `Bearer ${TOKENS.alice}` } };

interface WaitResult {
  status: string;
  jobs: Array<{ job_id: string; status: string; image_url: string }>;
}

let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
});

async function connect(path: string, mode: 'auto' | 'legacy'): Promise<Client> {
  client = new Client({ name: 'e2e-v2', version: '1.0.0' }, { versionNegotiation: { mode } });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${baseUrl}${path}`), { requestInit: auth }));
  return client;
}

describe.each(['/mcp', '/sse'])('v2 client negotiating on %s', (path) => {
  it('speaks 2026-07-28, lists tools and generates an image', async () => {
    const c = await connect(path, 'auto');
    expect(c.getProtocolEra()).toBe('modern');
    expect(c.getServerVersion()?.name).toBe('imagegen-mcp');
    const { tools } = await c.listTools();
    expect(tools.map((t) => t.name)).toContain('generate_image_and_wait');

    const progress: number[] = [];
    const result = await c.callTool(
      {
        name: 'generate_image_and_wait',
        arguments: { prompt: 'a modern lighthouse', width: 256, height: 192, provider: 'placeholder' },
      },
      { onprogress: (p) => progress.push(p.progress) },
    );
    const structured = result.structuredContent as unknown as WaitResult;
    expect(structured.status).toBe('completed');
    expect(progress.length).toBeGreaterThan(0);
    const image = await fetch(structured.jobs[0]!.image_url);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
  });

  it('gets a tool error for bad arguments and a protocol error for an unknown tool', async () => {
    const c = await connect(path, 'auto');
    const bad = await c.callTool({ name: 'generate_image', arguments: { prompt: 'x', count: 99 } });
    expect(bad.isError).toBe(true);
    await expect(c.callTool({ name: 'no_such_tool', arguments: {} })).rejects.toThrow(/no_such_tool/);
  });
});

describe('v2 client on the 2025 handshake', () => {
  it('initializes and generates an image as before', async () => {
    const c = await connect('/mcp', 'legacy');
    expect(c.getProtocolEra()).toBe('legacy');
    const result = await c.callTool({
      name: 'generate_image_and_wait',
      arguments: { prompt: 'an old lighthouse', width: 128, height: 128, provider: 'placeholder' },
    });
    expect((result.structuredContent as unknown as WaitResult).status).toBe('completed');
  });
});
