/** 2026-07-28 requests to the Worker under test (see modern-request.ts), with their replies read back. */

import { parseSse, type RpcOptions, type RpcReply, rpcRaw } from './mcp';
import { type EnvelopeOptions, modernBody, modernHeaders } from './modern-request';

export { ENVELOPE, MODERN, modernBody, modernHeaders } from './modern-request';

export interface ModernOptions extends RpcOptions, EnvelopeOptions {
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
