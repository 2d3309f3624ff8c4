/**
 * Connecting a server to a 2025-era transport, with one check the SDK leaves out there: a known method whose
 * params do not match its schema is answered -32602 (invalid params) instead of the SDK's generic -32603.
 * (tools/call is checked by the SDK itself; the 2026-07-28 entry checks every method.)
 */
import {
  type JSONRPCMessage,
  type McpServer,
  ProtocolErrorCode,
  type SpecTypeName,
  specTypeSchemas,
  type Transport,
} from '@modelcontextprotocol/server';

/** The spec's request types of the 2025-era methods a client may send here. */
const REQUEST_TYPES: ReadonlyMap<string, SpecTypeName> = new Map(
  Object.entries({
    ping: 'PingRequest',
    initialize: 'InitializeRequest',
    'completion/complete': 'CompleteRequest',
    'logging/setLevel': 'SetLevelRequest',
    'prompts/get': 'GetPromptRequest',
    'prompts/list': 'ListPromptsRequest',
    'resources/list': 'ListResourcesRequest',
    'resources/templates/list': 'ListResourceTemplatesRequest',
    'resources/read': 'ReadResourceRequest',
    'resources/subscribe': 'SubscribeRequest',
    'resources/unsubscribe': 'UnsubscribeRequest',
    'tools/list': 'ListToolsRequest',
  } satisfies Record<string, SpecTypeName>),
);

export function invalidParams(message: JSONRPCMessage): string | undefined {
  if (!('method' in message) || !('id' in message)) return undefined;
  const type = REQUEST_TYPES.get(message.method);
  if (!type) return undefined;
  const { issues } = specTypeSchemas[type]['~standard'].validate(message);
  if (!issues) return undefined;
  const problems = issues.map(
    (i) => `${i.path?.map((p) => (typeof p === 'object' ? p.key : p)).join('.') || 'params'}: ${i.message}`,
  );
  return `Invalid params for ${message.method}: ${problems.join('; ')}`;
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
