/** Reading a JSON-RPC body once, with the standard error codes for what is wrong with it. */
import { type JSONRPCMessage, specTypeSchemas } from '@modelcontextprotocol/server';
import type { Context } from 'hono';
import type { AppEnv } from './types';

export type ParsedBody = { ok: true; body: unknown; messages: JSONRPCMessage[] } | { ok: false; response: Response };

/** The id of a message that failed validation, when it has a usable one: error responses name their request. */
function idOf(item: unknown): string | number | null {
  const id = typeof item === 'object' && item !== null ? (item as { id?: unknown }).id : undefined;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

function rpcError(
  c: Context<AppEnv>,
  code: number,
  message: string,
  id: string | number | null = null,
): { ok: false; response: Response } {
  return { ok: false, response: c.json({ jsonrpc: '2.0', id, error: { code, message } }, 400) };
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
    const parsed = specTypeSchemas.JSONRPCMessage['~standard'].validate(item);
    if (parsed.issues) {
      return rpcError(
        c,
        -32600,
        'Invalid Request: expected a JSON-RPC 2.0 request, notification or response object.',
        Array.isArray(body) ? null : idOf(item),
      );
    }
    messages.push(parsed.value);
  }
  return { ok: true, body, messages };
}
