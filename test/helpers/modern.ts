/**
 * Requests as a 2026-07-28 client sends them (modelcontextprotocol.io/specification/2026-07-28): the `_meta`
 * envelope on every request, and the MCP-Protocol-Version, Mcp-Method and Mcp-Name headers on the POST.
 */
import { parseSse, type RpcOptions, type RpcReply, rpcRaw } from './mcp';

export const MODERN = '2026-07-28';

export const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'raw-2026-client', version: '1.0.0' },
};

/** The methods whose Mcp-Name header mirrors a body field (SEP-2243). */
const NAMED: Record<string, 'name' | 'uri' | 'taskId'> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
  'tasks/get': 'taskId',
  'tasks/cancel': 'taskId',
};

export interface ModernOptions extends RpcOptions {
  /** Extra `_meta` keys, merged over the envelope (a key set to undefined removes it). */
  meta?: Record<string, unknown>;
  /** Leave out the standard headers the client would send. */
  omitHeaders?: readonly string[];
}

export interface ModernReply {
  status: number;
  contentType: string | null;
  reply: RpcReply & { result?: Record<string, unknown> & { resultType?: string } };
  /** Every message of an event-stream response, in order (the reply is the last). */
  messages: Array<Record<string, unknown>>;
}

let nextId = 1000;

export function modernBody(method: string, params: Record<string, unknown> = {}, options: ModernOptions = {}) {
  const meta: Record<string, unknown> = { ...ENVELOPE, ...(params._meta as object), ...options.meta };
  for (const key of Object.keys(meta)) if (meta[key] === undefined) delete meta[key];
  return { jsonrpc: '2.0' as const, id: nextId++, method, params: { ...params, _meta: meta } };
}

export function modernHeaders(method: string, params: Record<string, unknown> = {}, omit: readonly string[] = []) {
  const headers: Record<string, string> = { 'mcp-protocol-version': MODERN, 'mcp-method': method };
  const field = NAMED[method];
  if (field && typeof params[field] === 'string') headers['mcp-name'] = params[field];
  for (const name of omit) delete headers[name];
  return headers;
}

export async function modernRpc(
  method: string,
  params: Record<string, unknown> = {},
  options: ModernOptions = {},
): Promise<ModernReply> {
  const response = await rpcRaw(modernBody(method, params, options), {
    ...options,
    headers: { ...modernHeaders(method, params, options.omitHeaders), ...options.headers },
  });
  const contentType = response.headers.get('content-type');
  const text = await response.text();
  const messages = contentType?.includes('text/event-stream')
    ? parseSse(text).map((e) => JSON.parse(e.data) as Record<string, unknown>)
    : [JSON.parse(text) as Record<string, unknown>];
  return { status: response.status, contentType, reply: messages.at(-1) as unknown as ModernReply['reply'], messages };
}
