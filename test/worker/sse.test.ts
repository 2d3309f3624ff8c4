/** The legacy SSE transport: endpoint event, 202 POSTs, replies on the stream, both delivery paths. */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { SseMailbox } from '../../src/sse/mailbox';
import { request, TOKENS } from '../helpers/mcp';
import { TOOL_NAMES } from '../helpers/tool-names';

/** An open SSE stream, read event by event. */
async function openStream(token: string = TOKENS.alice) {
  const response = await request('/sse', { headers: { accept: 'text/event-stream' }, token });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/event-stream');
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  async function next(): Promise<{ event: string; data: string }> {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (data !== undefined) return { event, data };
        continue; // a comment or retry-only block
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      buffer += value;
    }
  }
  const endpoint = await next();
  expect(endpoint.event).toBe('endpoint');
  const sessionId = new URL(endpoint.data, 'http://localhost').searchParams.get('sessionId')!;
  return { endpoint: endpoint.data, sessionId, next, close: () => reader.cancel() };
}

function post(endpoint: string, message: unknown, token: string = TOKENS.alice) {
  return request(endpoint, {
    method: 'POST',
    token,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(message),
  });
}

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 'test', version: '1' } },
};

describe('legacy SSE transport', () => {
  it('announces the endpoint, accepts POSTs with 202 and answers on the stream', async () => {
    const stream = await openStream();
    expect(stream.endpoint).toBe(`/sse/message?sessionId=${stream.sessionId}`);
    const accepted = await post(stream.endpoint, initialize);
    expect(accepted.status).toBe(202);
    const init = JSON.parse((await stream.next()).data);
    expect(init).toMatchObject({
      id: 1,
      result: { protocolVersion: '2024-11-05', serverInfo: { name: 'imagegen-mcp' } },
    });

    expect((await post(stream.endpoint, { jsonrpc: '2.0', method: 'notifications/initialized' })).status).toBe(202);
    expect((await post(stream.endpoint, { jsonrpc: '2.0', id: 2, method: 'tools/list' })).status).toBe(202);
    const list = JSON.parse((await stream.next()).data);
    expect(list.id).toBe(2);
    expect(list.result.tools).toHaveLength(TOOL_NAMES.length);
    await stream.close();
  });

  it('delivers messages that another isolate left in the D1 mailbox', async () => {
    const stream = await openStream();
    // What a POST served by a different isolate does: it cannot reach this stream, so it writes to D1.
    const mailbox = new SseMailbox(env.DB);
    expect(
      await mailbox.post(stream.sessionId, 'alice', { jsonrpc: '2.0', id: 7, method: 'tools/list' }, Date.now()),
    ).toBe(true);
    const reply = JSON.parse((await stream.next()).data);
    expect(reply.id).toBe(7);
    expect(reply.result.tools).toHaveLength(TOOL_NAMES.length);
    await stream.close();
  });

  it('runs tool calls on the stream, including long waits', async () => {
    const stream = await openStream();
    await post(stream.endpoint, {
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: {
        name: 'generate_image_and_wait',
        arguments: { prompt: 'over sse', provider: 'placeholder' },
        _meta: { progressToken: 5 },
      },
    });
    const messages = [];
    for (;;) {
      const message = JSON.parse((await stream.next()).data);
      messages.push(message);
      if (message.id === 3) break;
    }
    expect(messages.some((m) => m.method === 'notifications/progress')).toBe(true);
    expect(messages.at(-1).result.structuredContent.status).toBe('completed');
    await stream.close();
  });

  it("refuses another subject's session, unknown sessions and malformed input", async () => {
    const stream = await openStream();
    expect((await post(stream.endpoint, initialize, TOKENS.bob)).status).toBe(404);
    expect((await post(`/sse/message?sessionId=${crypto.randomUUID()}`, initialize)).status).toBe(404);
    expect((await post('/sse/message?sessionId=../../etc', initialize)).status).toBe(400);
    const garbage = await request(stream.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(garbage.status).toBe(400);
    expect(await garbage.json()).toMatchObject({ error: { code: -32700 } });
    expect((await post(stream.endpoint, { not: 'jsonrpc' })).status).toBe(400);
    await stream.close();
  });

  it('forgets the session when the client disconnects', async () => {
    const stream = await openStream();
    await stream.close();
    const deadline = Date.now() + 5000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await post(stream.endpoint, initialize)).status;
      if (status === 404) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(404);
  });
});

/** A session past its cap from the start (maxStreamMs 0), with request `id` delivered and not yet answered. */
async function sessionAtCap(id: string | number, drainMs: number) {
  const { SseServerTransport } = await import('../../src/sse/transport');
  const { runSession } = await import('../../src/sse/session');
  const mailbox = new SseMailbox(env.DB);
  const transport = new SseServerTransport(crypto.randomUUID());
  await mailbox.open(transport.sessionId, 'alice', Date.now() + 60_000);
  const received: unknown[] = [];
  transport.onmessage = (m) => received.push(m);
  transport.deliver({ jsonrpc: '2.0', id, method: 'tools/list' });
  const session = runSession({ transport, mailbox, subject: 'alice', maxStreamMs: 0, drainMs });
  await new Promise((r) => setTimeout(r, 50));
  return { transport, mailbox, received, session };
}

describe('SSE session lifetime', () => {
  it('at the cap, waits for requests in flight, then closes the stream and forgets the session', async () => {
    const { transport, mailbox, received, session } = await sessionAtCap(1, 30_000);
    expect(transport.isClosed).toBe(false); // request 1 is still unanswered
    await transport.send({ jsonrpc: '2.0', id: 1, result: {} });
    await session;
    expect(transport.isClosed).toBe(true);
    expect(await mailbox.exists(transport.sessionId, 'alice', Date.now())).toBe(false);
    expect(received).toHaveLength(1);
  });

  it('past the cap, stops waiting for a request the client cancelled', async () => {
    // The drain outlasts the test's timeout: only the cancellation can end the session in time.
    const { transport, session } = await sessionAtCap('slow', 120_000);
    expect(transport.isClosed).toBe(false);
    transport.deliver({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'slow' } });
    await session;
    expect(transport.isClosed).toBe(true);
  });
});

describe('SSE mailbox sweep', () => {
  it('drops expired sessions and their undelivered messages', async () => {
    const mailbox = new SseMailbox(env.DB);
    const stale = crypto.randomUUID();
    const live = crypto.randomUUID();
    await mailbox.open(stale, 'alice', Date.now() - 1);
    await mailbox.open(live, 'alice', Date.now() + 60_000);
    await env.DB.prepare('INSERT INTO sse_messages (session_id, body, created_at) VALUES (?, ?, ?)')
      .bind(stale, '{}', Date.now())
      .run();
    await mailbox.sweep(Date.now());
    expect(await mailbox.exists(live, 'alice', Date.now())).toBe(true);
    const left = await env.DB.prepare('SELECT COUNT(*) AS n FROM sse_messages WHERE session_id = ?')
      .bind(stale)
      .first();
    expect(left).toEqual({ n: 0 });
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM sse_sessions WHERE id = ?').bind(stale).first()).toEqual({
      n: 0,
    });
  });
});
