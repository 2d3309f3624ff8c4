/**
 * Streamable HTTP, stateless, both protocol eras on one endpoint, chosen per request by the SDK's own
 * classifier (`isLegacyRequest`: a request without the 2026-07-28 `_meta` envelope is 2025-era):
 * - 2026-07-28: the SDK's `createMcpHandler` (strict, `legacy: 'reject'`) validates the envelope and the
 *   Mcp-Method / Mcp-Name headers, answers server/discover and shapes the response (JSON, or an event stream
 *   once a handler notifies).
 * - 2025 era: a fresh server and transport per POST, as the SDK's stateless fallback does, except that the
 *   response is plain JSON unless the client takes an event stream and the call may send notifications
 *   (progress, log entries: see src/calls/logging.ts), and a client that sends no Accept header (curl scripts)
 *   is served rather than refused with 406.
 * Both build their server from the one factory in src/mcp/server.ts.
 */
import {
  createMcpHandler,
  isLegacyRequest,
  type JSONRPCMessage,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server';
import type { Context } from 'hono';
import { createRequestContext } from '../calls/context';
import { mayNotify } from '../calls/logging';
import { describeError } from '../errors';
import { log } from '../log';
import { connect } from '../mcp/connect';
import { createServer, scopeFor } from '../mcp/server';
import { errorResponse } from './errors';
import { type ParsedBody, readJsonRpc } from './jsonrpc-body';
import { spendRequests } from './rate-limit';
import { scopeRefusal } from './scopes';
import type { AppEnv } from './types';

type Parsed = Extract<ParsedBody, { ok: true }>;

/** What the modern handler's factory builds its server from, per request (requests are never shared). */
const pending = new WeakMap<Request, () => ReturnType<typeof createServer>>();

const modern = createMcpHandler(
  ({ requestInfo }) => {
    const build = requestInfo && pending.get(requestInfo);
    if (!build) throw new Error('No server set up for this request');
    return build();
  },
  {
    legacy: 'reject',
    // subscriptions/listen streams are held by this isolate's one handler; nothing here is ever announced on
    // them (see the capabilities in src/mcp/server.ts), so a few suffice and one caller cannot hoard many.
    maxSubscriptions: 32,
    onerror: (error) => log.info('mcp request refused or failed', { error: describeError(error) }),
  },
);

function serveModern(c: Context<AppEnv>, parsed: Parsed): Promise<Response> {
  const request = c.req.raw;
  pending.set(request, () =>
    createServer(createRequestContext(c.env, c.var.config, c.var.subject, c.req.url), {
      era: 'modern',
      scope: scopeFor(parsed.messages),
    }),
  );
  return modern.fetch(request, { parsedBody: parsed.body });
}

async function serveLegacy(c: Context<AppEnv>, parsed: Parsed): Promise<Response> {
  // curl scripts often send no Accept header at all: serve them plain JSON rather than 406.
  const accept = c.req.header('accept') ?? '';
  const acceptsStream = accept.includes('text/event-stream');
  const headers = new Headers(c.req.raw.headers);
  headers.set('accept', 'application/json, text/event-stream');
  const request = new Request(c.req.url, { method: 'POST', headers });

  const ctx = createRequestContext(c.env, c.var.config, c.var.subject, c.req.url);
  const server = createServer(ctx, { era: 'legacy', scope: scopeFor(parsed.messages) });
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: !(acceptsStream && mayNotify(parsed.messages)),
  });
  await connect(server, transport);
  return transport.handleRequest(request, { parsedBody: parsed.body });
}

/**
 * JSON-RPC batching was removed in protocol 2025-06-18 ("Remove support for JSON-RPC batching",
 * https://modelcontextprotocol.io/specification/2025-06-18/changelog); 2026-07-28 has none either (the SDK's
 * modern handler refuses arrays). So a batch is served only to a client of 2025-03-26, which is what a request
 * without a MCP-Protocol-Version header is taken to speak (Streamable HTTP, "Protocol Version Header").
 */
const BATCHES_REMOVED_IN = '2025-06-18';

function batchVersion(c: Context<AppEnv>, messages: readonly JSONRPCMessage[]): string | undefined {
  const header = c.req.header('mcp-protocol-version');
  if (header) return header;
  for (const m of messages) {
    if ('method' in m && m.method === 'initialize') {
      const version = (m.params as { protocolVersion?: unknown } | undefined)?.protocolVersion;
      if (typeof version === 'string') return version;
    }
  }
  return undefined;
}

/** Refuses a batch from a client whose protocol has none; otherwise spends one request per extra message. */
async function admitBatch(c: Context<AppEnv>, parsed: Parsed): Promise<Response | undefined> {
  if (!Array.isArray(parsed.body)) return undefined;
  const version = batchVersion(c, parsed.messages);
  if (version !== undefined && version >= BATCHES_REMOVED_IN) {
    return c.json(
      {
        jsonrpc: '2.0',
        id: null,
        error: {
          code: -32600,
          message: `Invalid Request: JSON-RPC batches were removed in protocol ${BATCHES_REMOVED_IN} (this request speaks ${version}); send one message per POST.`,
        },
      },
      400,
    );
  }
  // The rate limit spent one request on the POST; each further message counts as well.
  await spendRequests(c, parsed.messages.length - 1);
  return undefined;
}

export async function handleStreamableHttp(c: Context<AppEnv>): Promise<Response> {
  if (c.req.method !== 'POST') {
    // Stateless: there is no session to resume and no server-initiated stream to open.
    return errorResponse(c, 405, 'method_not_allowed', 'Method not allowed: POST JSON-RPC messages to this endpoint.', {
      Allow: 'POST',
    });
  }
  const parsed = await readJsonRpc(c, { allowBatch: true });
  if (!parsed.ok) return parsed.response;
  const refused = scopeRefusal(c, parsed.messages) ?? (await admitBatch(c, parsed));
  if (refused) return refused;
  return (await isLegacyRequest(c.req.raw, parsed.body)) ? serveLegacy(c, parsed) : serveModern(c, parsed);
}
