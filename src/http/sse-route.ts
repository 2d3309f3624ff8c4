/**
 * The legacy HTTP+SSE transport that MCP Inspector's SSE mode speaks. GET /sse opens a stream and names the
 * endpoint to POST to; each POST answers 202 and its response arrives on the stream. A POST to /sse itself
 * (no session) is served as Streamable HTTP, for clients that try that first on this URL.
 */
import { Hono } from 'hono';
import { createRequestContext } from '../calls/context';
import { AppError } from '../errors';
import { connect } from '../mcp/connect';
import { createServer } from '../mcp/server';
import { SseMailbox } from '../sse/mailbox';
import { deliverLocally, runSession } from '../sse/session';
import { SseServerTransport } from '../sse/transport';
import { readJsonRpc } from './jsonrpc-body';
import { handleStreamableHttp } from './mcp-route';
import { scopeRefusal } from './scopes';
import type { AppEnv } from './types';

export const sseRoute = new Hono<AppEnv>();

const SESSION_ID = /^[0-9a-f-]{36}$/;

sseRoute.get('/', async (c) => {
  const config = c.var.config;
  const sessionId = crypto.randomUUID();
  const maxStreamMs = config.sseMaxStreamSeconds * 1000;
  const mailbox = new SseMailbox(c.env.DB);
  // The row outlives the stream by its drain time, so late POSTs still find it.
  await mailbox.open(sessionId, c.var.subject, Date.now() + maxStreamMs + 120_000);

  const transport = new SseServerTransport(sessionId);
  const server = createServer(createRequestContext(c.env, config, c.var.subject, c.req.url), { era: 'legacy' });
  await connect(server, transport);
  transport.write(`retry: 1000\nevent: endpoint\ndata: /sse/message?sessionId=${sessionId}\n\n`);
  const session = runSession({ transport, mailbox, subject: c.var.subject, maxStreamMs });
  c.executionCtx.waitUntil(session.finally(() => server.close()));
  return new Response(transport.readable, {
    headers: {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no',
    },
  });
});

sseRoute.post('/', handleStreamableHttp);

sseRoute.post('/message', async (c) => {
  const sessionId = c.req.query('sessionId') ?? c.req.query('session_id') ?? '';
  if (!SESSION_ID.test(sessionId)) {
    throw new AppError('bad_request', 'Missing or malformed sessionId: POST to the endpoint that GET /sse announced.');
  }
  const parsed = await readJsonRpc(c, { allowBatch: false });
  if (!parsed.ok) return parsed.response;
  const refused = scopeRefusal(c, parsed.messages);
  if (refused) return refused;
  const message = parsed.messages[0]!;
  const subject = c.var.subject;
  const delivered =
    (c.var.config.sseFastPath && deliverLocally(sessionId, subject, message)) ||
    (await new SseMailbox(c.env.DB).post(sessionId, subject, message, Date.now()));
  if (!delivered) throw new AppError('not_found', 'Unknown or expired SSE session: reconnect to GET /sse.');
  return c.body('Accepted', 202);
});
