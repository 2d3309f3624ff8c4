/**
 * Paid-provider confirmation against the Worker as a real process, PAID_PROVIDERS=openai, every provider on
 * its fake: the v2 client on 2026-07-28 (multi round-trip), the v1 client over legacy SSE (the SDK's shim sends
 * a real elicitation/create on the stream, whose reply comes back as a POST), and the v1 client over stateless
 * Streamable HTTP, which keeps the allow_paid refusal.
 */
import { Client as V2Client, StreamableHTTPClientTransport as V2Http } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport as V1Http } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeProviderVars, startFakes } from '../fakes/all';
import { modernBody, modernHeaders } from '../helpers/modern-request';
import { type DevServer, startDev } from './wrangler-dev';

let fakes: Awaited<ReturnType<typeof startFakes>>;
let server: DevServer;

beforeAll(async () => {
  fakes = await startFakes();
  // No token: the server serves loopback callers only, as `npm run dev` does.
  server = await startDev({ vars: { ...fakeProviderVars(fakes), PAID_PROVIDERS: 'openai' } });
});

afterAll(async () => {
  await server?.stop();
  await fakes?.close();
});

const paidCall = {
  name: 'generate_image_and_wait',
  arguments: { prompt: 'a paid lighthouse', provider: 'openai', width: 1024, height: 1024 },
};

function textOf(result: Record<string, unknown>): string {
  return ((result.content ?? []) as Array<{ text?: string }>).map((c) => c.text ?? '').join('\n');
}

describe('2026-07-28 client (v2 SDK)', () => {
  async function connect(confirm: boolean) {
    const asked: string[] = [];
    const client = new V2Client(
      { name: 'paid-e2e', version: '1' },
      { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: 'auto' } },
    );
    client.setRequestHandler('elicitation/create', async (request) => {
      asked.push(request.params.message);
      return { action: 'accept', content: { confirm } };
    });
    await client.connect(new V2Http(new URL(`${server.url}/mcp`)));
    expect(client.getProtocolEra()).toBe('modern');
    return { client, asked };
  }

  it('generates after the person says yes', async () => {
    const { client, asked } = await connect(true);
    const result = await client.callTool(paidCall);
    expect((result.structuredContent as { status: string }).status).toBe('completed');
    expect(asked).toEqual([expect.stringMatching(/one image with openai .* for about \$0\.050/)]);
    await client.close();
  });

  it('spends nothing after the person says no', async () => {
    const { client } = await connect(false);
    const before = fakes.openai.requests.length;
    const result = await client.callTool(paidCall);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/Nothing was spent/);
    expect(fakes.openai.requests.length).toBe(before);
    await client.close();
  });

  it('refuses an altered requestState', async () => {
    const meta = { 'io.modelcontextprotocol/clientCapabilities': { elicitation: {} } };
    const post = async (params: Record<string, unknown>) => {
      const response = await fetch(`${server.url}/mcp`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          ...modernHeaders('tools/call', params),
        },
        body: JSON.stringify(modernBody('tools/call', params, { meta })),
      });
      return (await response.json()) as {
        result?: { requestState?: string };
        error?: { code: number; message: string };
      };
    };
    const first = await post(paidCall);
    const state = first.result?.requestState;
    expect(state).toMatch(/^v1\./);
    const altered = `${state!.slice(0, -2)}${state!.endsWith('AA') ? 'BB' : 'AA'}`;
    const retry = await post({
      ...paidCall,
      requestState: altered,
      inputResponses: { confirm_paid: { action: 'accept', content: { confirm: true } } },
    });
    expect(retry.error).toMatchObject({ code: -32602, message: 'Invalid or expired requestState' });
  });
});

describe('2025-era clients (v1 SDK) that declare elicitation', () => {
  function v1Client(asked: string[]) {
    const client = new V1Client({ name: 'paid-e2e-v1', version: '1' }, { capabilities: { elicitation: {} } });
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params.message);
      return { action: 'accept', content: { confirm: true } };
    });
    return client;
  }

  it('over legacy SSE: asked through elicitation/create on the stream, then generated', async () => {
    const asked: string[] = [];
    const client = v1Client(asked);
    await client.connect(new SSEClientTransport(new URL(`${server.url}/sse`)));
    const result = await client.callTool(paidCall);
    expect(asked).toEqual([expect.stringMatching(/one image with openai/)]);
    expect((result.structuredContent as { status: string }).status).toBe('completed');
    await client.close();
  });

  it('over stateless Streamable HTTP: no way to ask, so the allow_paid refusal as before', async () => {
    const asked: string[] = [];
    const client = v1Client(asked);
    await client.connect(new V1Http(new URL(`${server.url}/mcp`)));
    const result = await client.callTool(paidCall);
    expect(asked).toHaveLength(0);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/allow_paid/);
    await client.close();
  });
});
