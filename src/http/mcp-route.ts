/**
 * Streamable HTTP, stateless: a fresh server and transport per POST. Responses are plain JSON unless the
 * client can take an event stream and the call may send notifications (progress, or log entries: see
 * src/mcp/logging.ts), which need the stream to carry them.
 */
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Context } from 'hono';
import { connect } from '../mcp/connect';
import { createRequestContext } from '../mcp/context';
import { mayNotify } from '../mcp/logging';
import { createServer, scopeFor } from '../mcp/server';
import { errorResponse } from './errors';
import { readJsonRpc } from './jsonrpc-body';
import type { AppEnv } from './types';

export async function handleStreamableHttp(c: Context<AppEnv>): Promise<Response> {
  if (c.req.method !== 'POST') {
    // Stateless: there is no session to resume and no server-initiated stream to open.
    return errorResponse(c, 405, 'method_not_allowed', 'Method not allowed: POST JSON-RPC messages to this endpoint.', {
      Allow: 'POST',
    });
  }
  const parsed = await readJsonRpc(c, { allowBatch: true });
  if (!parsed.ok) return parsed.response;

  // curl scripts often send no Accept header at all: serve them plain JSON rather than 406.
  const accept = c.req.header('accept') ?? '';
  const acceptsStream = accept.includes('text/event-stream');
  const headers = new Headers(c.req.raw.headers);
  headers.set('accept', 'application/json, text/event-stream');
  const request = new Request(c.req.url, { method: 'POST', headers });

  const ctx = createRequestContext(c.env, c.var.config, c.var.subject, c.req.url);
  const server = createServer(ctx, scopeFor(parsed.messages));
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: !(acceptsStream && mayNotify(parsed.messages)),
  });
  await connect(server, transport);
  return transport.handleRequest(request, { parsedBody: parsed.body });
}
