/** Reading a JSON-RPC body once, with the standard error codes for what is wrong with it. */
import { type JSONRPCMessage, JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Context } from 'hono';
import type { AppEnv } from './types';

export type ParsedBody = { ok: true; body: unknown; messages: JSONRPCMessage[] } | { ok: false; response: Response };

function rpcError(c: Context<AppEnv>, code: number, message: string): { ok: false; response: Response } {
  return { ok: false, response: c.json({ jsonrpc: '2.0', id: null, error: { code, message } }, 400) };
}

export async function readJsonRpc(c: Context<AppEnv>, options: { allowBatch: boolean }): Promise<ParsedBody> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    return rpcError(c, -32700, 'Parse error: the body is not valid JSON.');
  }
  const items = Array.isArray(body) ? body : [body];
  if (Array.isArray(body) && (!options.allowBatch || body.length === 0)) {
    return rpcError(c, -32600, 'Invalid Request: send one JSON-RPC message per request.');
  }
  const messages: JSONRPCMessage[] = [];
  for (const item of items) {
    const parsed = JSONRPCMessageSchema.safeParse(item);
    if (!parsed.success) {
      return rpcError(c, -32600, 'Invalid Request: expected a JSON-RPC 2.0 request, notification or response object.');
    }
    messages.push(parsed.data);
  }
  return { ok: true, body, messages };
}
