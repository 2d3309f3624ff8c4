/**
 * Streamable HTTP, stateless: a fresh server and transport per POST. Responses are plain JSON unless the
 * client can take an event stream and asked for progress, which needs the stream to carry notifications.
 */
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Context } from 'hono';
import { createRequestContext } from '../mcp/context';
import { createServer } from '../mcp/server';
import { errorResponse } from './errors';
import type { AppEnv } from './types';

function wantsProgress(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some((m) => {
    const meta = (m as { params?: { _meta?: { progressToken?: unknown } } } | null)?.params?._meta;
    return meta?.progressToken !== undefined;
  });
}

export async function handleStreamableHttp(c: Context<AppEnv>): Promise<Response> {
  if (c.req.method !== 'POST') {
    // Stateless: there is no session to resume and no server-initiated stream to open.
    return errorResponse(c, 405, 'method_not_allowed', 'Method not allowed: POST JSON-RPC messages to this endpoint.', {
      Allow: 'POST',
    });
  }
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    return c.json(
      { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error: the body is not valid JSON.' } },
      400,
    );
  }

  // curl scripts often send no Accept header at all: serve them plain JSON rather than 406.
  const accept = c.req.header('accept') ?? '';
  const acceptsStream = accept.includes('text/event-stream');
  const headers = new Headers(c.req.raw.headers);
  headers.set('accept', 'application/json, text/event-stream');
  const request = new Request(c.req.url, { method: 'POST', headers });

  const ctx = createRequestContext(c.env, c.var.config, c.var.subject, c.req.url);
  const server = createServer(ctx);
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: !(acceptsStream && wantsProgress(body)),
  });
  await server.connect(transport);
  return transport.handleRequest(request, { parsedBody: body });
}
