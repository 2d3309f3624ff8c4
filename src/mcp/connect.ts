/**
 * Connecting a server to a transport, with one check the SDK leaves out: a known method whose params do not
 * match its schema is answered -32602 (invalid params) instead of the SDK's generic -32603.
 */
import { ClientRequestSchema } from '@modelcontextprotocol/core';
import type { JSONRPCMessage, McpServer, Transport } from '@modelcontextprotocol/server';
import { ProtocolErrorCode } from '@modelcontextprotocol/server';

const schemas = new Map(ClientRequestSchema.options.map((schema) => [schema.shape.method.value as string, schema]));

export function invalidParams(message: JSONRPCMessage): string | undefined {
  if (!('method' in message) || !('id' in message)) return undefined;
  const schema = schemas.get(message.method);
  if (!schema) return undefined;
  const result = schema.safeParse(message);
  if (result.success) return undefined;
  const issues = result.error.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`).join('; ');
  return `Invalid params for ${message.method}: ${issues}`;
}

export async function connect(server: McpServer, transport: Transport): Promise<void> {
  await server.connect(transport);
  const deliver = transport.onmessage;
  transport.onmessage = (message, extra) => {
    const problem = invalidParams(message);
    if (problem && 'id' in message) {
      void transport.send({
        jsonrpc: '2.0',
        id: message.id,
        error: { code: ProtocolErrorCode.InvalidParams, message: problem },
      });
      return;
    }
    deliver?.(message, extra);
  };
}
