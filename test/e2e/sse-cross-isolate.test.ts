/**
 * The legacy SSE transport when the POST lands on a different isolate than the stream: two wrangler dev
 * processes share one local D1, the stream is opened on the first and every POST goes to the second.
 * The second one caps streams at 5 s, to show that a client carries on across the reconnect.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TOKENS } from '../helpers/tokens';
import { TOOL_NAMES } from '../helpers/tool-names';
import { type DevServer, startDev } from './wrangler-dev';

const baseUrl = inject('baseUrl');
let second: DevServer;

beforeAll(async () => {
  second = await startDev({
    persistDir: inject('persistDir'),
    vars: { AUTH_TOKENS: JSON.stringify(TOKENS), SSE_MAX_STREAM_SECONDS: '5' },
  });
});
afterAll(async () => {
  await second?.stop();
});

describe('SSE across isolates', () => {
  it('delivers POSTs served by another process through the D1 mailbox', async () => {
    const posts: string[] = [];
    const transport = new SSEClientTransport(new URL(`${baseUrl}/sse`), {
      requestInit: { headers: { Authorization: `Bearer ${TOKENS.alice}` } },
      eventSourceInit: { fetch: (url, init) => fetch(url, init) },
      // Messages go to the second process; the stream stays on the first.
      fetch: (url, init) => {
        const target = new URL(url instanceof Request ? url.url : url.toString());
        target.host = new URL(second.url).host;
        posts.push(target.toString());
        return fetch(target, init);
      },
    });
    const client = new Client({ name: 'cross-isolate', version: '1.0.0' });
    await client.connect(transport);
    const { tools } = await client.listTools();
    expect(tools).toHaveLength(TOOL_NAMES.length);
    const result = await client.callTool({ name: 'generate_image_and_wait', arguments: { prompt: 'two isolates' } });
    expect((result.structuredContent as { status: string }).status).toBe('completed');
    expect(posts.length).toBeGreaterThanOrEqual(3);
    expect(posts.every((p) => p.startsWith(`${second.url}/sse/message?sessionId=`))).toBe(true);
    await client.close();
  });
});

describe('SSE stream lifetime', () => {
  it('ends a stream at its cap and the SDK client carries on over a new session', async () => {
    const sessions = new Set<string>();
    const transport = new SSEClientTransport(new URL(`${second.url}/sse`), {
      requestInit: { headers: { Authorization: `Bearer ${TOKENS.alice}` } },
      fetch: (url, init) => {
        const target = new URL(url instanceof Request ? url.url : url.toString());
        const session = target.searchParams.get('sessionId');
        if (session) sessions.add(session);
        return fetch(target, init);
      },
    });
    const client = new Client({ name: 'reconnect', version: '1.0.0' });
    await client.connect(transport);
    expect((await client.listTools()).tools).toHaveLength(TOOL_NAMES.length);
    await new Promise((r) => setTimeout(r, 7000));
    expect((await client.listTools()).tools).toHaveLength(TOOL_NAMES.length);
    expect(sessions.size).toBe(2);
    await client.close();
  });
});
