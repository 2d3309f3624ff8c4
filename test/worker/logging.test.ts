/**
 * The logging capability: log entries stream with the job tools' responses, filtered by the level the call
 * carries in _meta, the level set earlier in the same POST (batch), or the default; the legacy SSE stream keeps
 * a level for its lifetime. Plain-JSON clients (no event-stream Accept) keep getting plain JSON.
 */
import { describe, expect, it } from 'vitest';
import { LOG_LEVEL_META_KEY, TOOLS_THAT_LOG } from '../../src/calls/logging';
import { parseSse, request, rpcRaw, TOKENS } from '../helpers/mcp';
import { TOOL_NAMES } from '../helpers/tool-names';

interface Message {
  id?: number;
  method?: string;
  params?: { level: string; logger: string; data: { message: string; [key: string]: unknown } };
  result?: { structuredContent?: { status: string } };
}

const call = (id: number, meta?: Record<string, unknown>) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: {
    name: 'generate_image_and_wait',
    arguments: { prompt: 'logged', provider: 'placeholder', width: 64, height: 64, style: 'photo' },
    ...(meta && { _meta: meta }),
  },
});

async function messages(response: Response): Promise<Message[]> {
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  return parseSse(await response.text()).map((e) => JSON.parse(e.data) as Message);
}

const logs = (all: Message[]) => all.filter((m) => m.method === 'notifications/message').map((m) => m.params!);

describe('logging', () => {
  it('only names tools that exist', () => {
    for (const name of TOOLS_THAT_LOG) expect(TOOL_NAMES).toContain(name);
  });

  it('streams info entries by default: where the job went and how it ended, no secrets', async () => {
    const all = await messages(await rpcRaw(call(1)));
    const entries = logs(all);
    expect(entries.map((e) => e.level)).toEqual(expect.arrayContaining(['info']));
    expect(entries.some((e) => e.data.message.startsWith('Queued 1 job on placeholder/placeholder'))).toBe(true);
    expect(entries.find((e) => e.data.message.startsWith('Queued'))?.data).toMatchObject({ style: 'photo' });
    expect(entries.some((e) => /finished in/.test(e.data.message))).toBe(true);
    expect(entries.every((e) => e.logger === 'imagegen' && e.level !== 'debug')).toBe(true);
    expect(JSON.stringify(all)).not.toContain(TOKENS.alice);
    expect(all.at(-1)).toMatchObject({ id: 1, result: { structuredContent: { status: 'completed' } } });
  });

  it('honours a level in the call’s _meta', async () => {
    const quiet = logs(await messages(await rpcRaw(call(2, { [LOG_LEVEL_META_KEY]: 'warning' }))));
    expect(quiet).toEqual([]);
  });

  it('honours logging/setLevel for the rest of the same POST', async () => {
    const batch = [{ jsonrpc: '2.0', id: 3, method: 'logging/setLevel', params: { level: 'error' } }, call(4)];
    const all = await messages(await rpcRaw(batch));
    expect(all.find((m) => m.id === 3)).toMatchObject({ result: {} });
    expect(logs(all)).toEqual([]);
  });

  it('refuses an unknown level as invalid params', async () => {
    const response = await rpcRaw({ jsonrpc: '2.0', id: 5, method: 'logging/setLevel', params: { level: 'loud' } });
    expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32602);
  });

  it('answers clients that take only JSON with plain JSON, without log entries', async () => {
    const response = await request('/mcp', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(call(6)),
    });
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toMatchObject({ id: 6, result: { structuredContent: { status: 'completed' } } });
  });

  it('keeps the level set on a legacy SSE stream for the stream', async () => {
    const stream = await request('/sse', { headers: { accept: 'text/event-stream' } });
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    /** The next complete event on the stream. */
    const next = async () => {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const [event] = parseSse(buffer.slice(0, end + 2));
          buffer = buffer.slice(end + 2);
          if (event) return event;
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += value;
      }
    };
    const events: Message[] = [];
    const until = async (id: number) => {
      for (;;) {
        const message = JSON.parse((await next()).data) as Message;
        events.push(message);
        if (message.id === id) return;
      }
    };
    const endpoint = (await next()).data;
    const post = (message: unknown) =>
      request(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(message),
      });

    expect(
      (await post({ jsonrpc: '2.0', id: 1, method: 'logging/setLevel', params: { level: 'warning' } })).status,
    ).toBe(202);
    await until(1);
    expect((await post(call(2))).status).toBe(202);
    await until(2);
    expect(logs(events)).toEqual([]);

    expect((await post({ jsonrpc: '2.0', id: 3, method: 'logging/setLevel', params: { level: 'info' } })).status).toBe(
      202,
    );
    await until(3);
    expect((await post(call(4))).status).toBe(202);
    await until(4);
    expect(logs(events).some((e) => e.data.message.startsWith('Queued'))).toBe(true);
    await reader.cancel();
  });
});
