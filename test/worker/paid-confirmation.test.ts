/**
 * Confirming a paid provider through a multi round-trip (2026-07-28, SEP-2322), with the server the Worker
 * builds, PAID_PROVIDERS=openai, and the OpenAI fake behind it. The v2 SDK client answers the elicitation
 * through its own handler; the state's integrity is then tried by hand.
 */
import { env } from 'cloudflare:workers';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { createMcpHandler, legacyStatelessFallback } from '@modelcontextprotocol/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRequestContext } from '../../src/calls/context';
import { loadConfig } from '../../src/config';
import { createServer } from '../../src/mcp/server';
import { type ModernReply, modernBody, modernHeaders } from '../helpers/modern';

const config = { ...loadConfig(env), paidProviders: ['openai'] };

function handlerFor(subject: string) {
  return createMcpHandler(
    () => createServer(createRequestContext(env, config, subject, 'http://test.local/mcp'), { era: 'modern' }),
    { legacy: 'reject' },
  );
}

type Answer = { action: 'accept'; content: { confirm: boolean } } | { action: 'decline' };

async function clientFor(answer: Answer | null, subject = 'paid-alice') {
  const asked: string[] = [];
  const handler = handlerFor(subject);
  const client = new Client(
    { name: 'paid-test', version: '1' },
    { capabilities: answer ? { elicitation: { form: {} } } : {}, versionNegotiation: { mode: 'auto' } },
  );
  if (answer)
    client.setRequestHandler('elicitation/create', async (request) => {
      asked.push(request.params.message);
      return answer;
    });
  await client.connect(
    new StreamableHTTPClientTransport(new URL('http://test.local/mcp'), {
      fetch: (url, init) => handler.fetch(new Request(url, init)),
    }),
  );
  return { client, asked };
}

async function jobCount(subject: string): Promise<number> {
  const row = await env.DB.prepare('SELECT COUNT(*) AS n FROM jobs WHERE subject = ?')
    .bind(subject)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

const paidCall = {
  name: 'generate_image_and_wait',
  arguments: { prompt: 'a paid pony', provider: 'openai', count: 2, width: 1024, height: 1024 },
};

function textOf(result: { content?: unknown }): string {
  return ((result.content ?? []) as Array<{ text?: string }>).map((c) => c.text ?? '').join('\n');
}

describe('paid provider confirmation, through the v2 client', () => {
  it('asks once, naming provider, model, count and cost, and generates on yes', async () => {
    const { client, asked } = await clientFor({ action: 'accept', content: { confirm: true } }, 'paid-yes');
    const result = await client.callTool(paidCall);
    expect(result.isError).toBeFalsy();
    const structured = result.structuredContent as { status: string; jobs: Array<{ provider: string }> };
    expect(structured.status).toBe('completed');
    expect(structured.jobs.map((j) => j.provider)).toEqual(['openai', 'openai']);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatch(/2 images with openai \(gpt-image-[^)]+\) for about \$0\.10 \(\$0\.050 each\)/);
    await client.close();
  });

  it('spends nothing on no, and says so', async () => {
    const { client, asked } = await clientFor({ action: 'accept', content: { confirm: false } }, 'paid-no');
    const result = await client.callTool(paidCall);
    expect(asked).toHaveLength(1);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/declined\. Nothing was spent and no job was created/);
    expect(await jobCount('paid-no')).toBe(0);
    await client.close();
  });

  it('spends nothing when the person declines the question itself', async () => {
    const { client } = await clientFor({ action: 'decline' }, 'paid-decline');
    const result = await client.callTool(paidCall);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/Nothing was spent/);
    expect(await jobCount('paid-decline')).toBe(0);
  });

  it('keeps the allow_paid refusal for a client without elicitation', async () => {
    const { client } = await clientFor(null, 'paid-plain');
    const result = await client.callTool(paidCall);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/allow_paid/);
    expect(await jobCount('paid-plain')).toBe(0);
  });

  it('asks nothing when the call already says allow_paid', async () => {
    const { client, asked } = await clientFor({ action: 'accept', content: { confirm: true } }, 'paid-allowed');
    const result = await client.callTool({
      ...paidCall,
      arguments: { ...paidCall.arguments, count: 1, allow_paid: true },
    });
    expect((result.structuredContent as { status: string }).status).toBe('completed');
    expect(asked).toHaveLength(0);
  });
});

describe('paid provider confirmation: the state is checked', () => {
  const capabilities = { 'io.modelcontextprotocol/clientCapabilities': { elicitation: {} } };
  const yes = { [`confirm_paid`]: { action: 'accept', content: { confirm: true } } };

  async function call(
    subject: string,
    params: Record<string, unknown>,
    meta: Record<string, unknown> = capabilities,
  ): Promise<ModernReply['reply']> {
    const body = modernBody('tools/call', params, { meta });
    const response = await handlerFor(subject).fetch(
      new Request('http://test.local/mcp', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...modernHeaders('tools/call', params),
        },
        body: JSON.stringify(body),
      }),
    );
    return (await response.json()) as ModernReply['reply'];
  }

  async function firstRound(subject: string) {
    const reply = await call(subject, paidCall);
    const result = reply.result as { resultType: string; requestState: string; inputRequests: object };
    expect(result.resultType).toBe('input_required');
    expect(Object.keys(result.inputRequests)).toEqual(['confirm_paid']);
    return result.requestState;
  }

  afterEach(() => vi.useRealTimers());

  it('refuses a tampered state', async () => {
    const state = await firstRound('paid-tamper');
    const [version, body, mac] = state.split('.');
    const payload = JSON.parse(atob(body!.replace(/-/g, '+').replace(/_/g, '/'))) as { p: { count: number } };
    payload.p.count = 1;
    const forged = `${version}.${btoa(JSON.stringify(payload)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}.${mac}`;
    const reply = await call('paid-tamper', { ...paidCall, inputResponses: yes, requestState: forged });
    expect(reply.error).toMatchObject({ code: -32602, message: 'Invalid or expired requestState' });
    expect(await jobCount('paid-tamper')).toBe(0);
  });

  it('refuses another subject’s state', async () => {
    const state = await firstRound('paid-owner');
    const reply = await call('paid-thief', { ...paidCall, inputResponses: yes, requestState: state });
    expect(reply.error).toMatchObject({ code: -32602, message: 'Invalid or expired requestState' });
    expect(await jobCount('paid-thief')).toBe(0);
  });

  it('refuses an expired state', async () => {
    const state = await firstRound('paid-late');
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 11 * 60_000 });
    const reply = await call('paid-late', { ...paidCall, inputResponses: yes, requestState: state });
    expect(reply.error).toMatchObject({ code: -32602, message: 'Invalid or expired requestState' });
    expect(await jobCount('paid-late')).toBe(0);
  });

  it('refuses a state given for other arguments', async () => {
    const state = await firstRound('paid-switch');
    const other = { ...paidCall, arguments: { ...paidCall.arguments, count: 4 } };
    const reply = await call('paid-switch', { ...other, inputResponses: yes, requestState: state });
    const message = JSON.stringify(reply.error ?? reply.result);
    expect(message).toMatch(/confirms a different call/);
    expect(await jobCount('paid-switch')).toBe(0);
  });

  it('runs a confirmation once: a replay of the same answer and state makes nothing more', async () => {
    const state = await firstRound('paid-replay');
    const retry = { ...paidCall, inputResponses: yes, requestState: state };
    const first = await call('paid-replay', retry);
    expect((first.result as { structuredContent: { status: string } }).structuredContent.status).toBe('completed');
    const again = await call('paid-replay', retry);
    expect(JSON.stringify(again.result)).toMatch(/already used/);
    expect(await jobCount('paid-replay')).toBe(2);
  });

  it('asks a client that takes tasks too, instead of refusing the task', async () => {
    const both = {
      'io.modelcontextprotocol/clientCapabilities': {
        elicitation: {},
        extensions: { 'io.modelcontextprotocol/tasks': {} },
      },
    };
    const reply = await call('paid-tasks', paidCall, both);
    expect(reply.result).toMatchObject({ resultType: 'input_required' });
  });
});

describe('paid provider confirmation: the 2025 era', () => {
  it('keeps allow_paid for a stateless POST, whatever its _meta claims about elicitation', async () => {
    const legacy = legacyStatelessFallback(() =>
      createServer(createRequestContext(env, config, 'paid-legacy', 'http://test.local/mcp'), { era: 'legacy' }),
    );
    const response = await legacy(
      new Request('http://test.local/mcp', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: {
            ...paidCall,
            _meta: { 'io.modelcontextprotocol/clientCapabilities': { elicitation: {} } },
          },
        }),
      }),
    );
    const text = await response.text();
    expect(text).toMatch(/allow_paid/);
    expect(text).not.toMatch(/input_required|Cannot request input/);
  });
});
