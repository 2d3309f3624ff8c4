/** Talking to the Worker under test as a client would: raw JSON-RPC over its own fetch handler. */
import { exports } from 'cloudflare:workers';

import { TOKENS } from './tokens';

export { TOKENS };
export const ORIGIN = 'http://localhost';

export function request(path: string, init: RequestInit & { token?: string | null } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = init.token === undefined ? TOKENS.alice : init.token;
  if (token) headers.set('authorization', `Bearer ${token}`);
  return exports.default.fetch(new Request(`${ORIGIN}${path}`, { ...init, headers }));
}

let nextId = 1;

export interface RpcOptions {
  token?: string | null;
  path?: string;
  headers?: Record<string, string>;
}

export async function rpcRaw(body: unknown, options: RpcOptions = {}): Promise<Response> {
  return request(options.path ?? '/mcp', {
    method: 'POST',
    token: options.token,
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...options.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/**
 * A tools/call with a progress token, answered as an event stream: the response's content type and every
 * message on the stream (notifications, then the result).
 */
export async function callToolStreamed(id: number, name: string, args: Record<string, unknown>, progressToken: string) {
  const response = await rpcRaw({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name, arguments: args, _meta: { progressToken } },
  });
  const contentType = response.headers.get('content-type');
  return { contentType, messages: parseSse(await response.text()).map((e) => JSON.parse(e.data)) };
}

export interface RpcReply {
  jsonrpc: '2.0';
  id: number | string | null;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
}

export async function rpc(method: string, params?: unknown, options: RpcOptions = {}): Promise<RpcReply> {
  const response = await rpcRaw({ jsonrpc: '2.0', id: nextId++, method, params }, options);
  if (response.headers.get('content-type')?.includes('text/event-stream')) {
    const events = parseSse(await response.text());
    return JSON.parse(events.at(-1)!.data) as RpcReply;
  }
  return (await response.json()) as RpcReply;
}

export interface ToolResult {
  content: Array<{ type: string; text?: string; uri?: string; mimeType?: string }>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

export async function callTool<T = Record<string, unknown>>(
  name: string,
  args: Record<string, unknown> = {},
  options: RpcOptions = {},
): Promise<ToolResult & { structured: T }> {
  const reply = await rpc('tools/call', { name, arguments: args }, options);
  if (reply.error) throw new Error(`JSON-RPC error ${reply.error.code}: ${reply.error.message}`);
  const result = reply.result as unknown as ToolResult;
  return { ...result, structured: result.structuredContent as T };
}

export function textOf(result: ToolResult): string {
  return result.content.flatMap((c) => (c.type === 'text' && c.text ? [c.text] : [])).join('\n');
}

export interface SseEvent {
  event: string;
  data: string;
}

export function parseSse(text: string): SseEvent[] {
  return text
    .split(/\n\n/)
    .map((block) => {
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      return { event, data: data.join('\n') };
    })
    .filter((e) => e.data !== '');
}
