/**
 * Requests as a 2026-07-28 client sends them (modelcontextprotocol.io/specification/2026-07-28): the `_meta`
 * envelope on every request, and the MCP-Protocol-Version, Mcp-Method and Mcp-Name headers on the POST. No
 * runtime imports, so both the workerd and the end-to-end suites build requests with it.
 */
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
  'tasks/update': 'taskId',
};

export interface EnvelopeOptions {
  /** Extra `_meta` keys, merged over the envelope (a key set to undefined removes it). */
  meta?: Record<string, unknown>;
}

let nextId = 1000;

export function modernBody(method: string, params: Record<string, unknown> = {}, options: EnvelopeOptions = {}) {
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
