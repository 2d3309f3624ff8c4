/**
 * A fake of Cloudflare AI Gateway's provider endpoints, in front of the OpenAI and Gemini fakes:
 * /v1/{account_id}/{gateway_id}/openai/... goes to the OpenAI API's /v1/..., and .../google-ai-studio/... to the
 * Gemini API's /... (developers.cloudflare.com/ai-gateway/usage/providers/openai and /google-ai-studio), bytes
 * and headers passed through. The gateway `authenticated` wants `cf-aig-authorization: Bearer <GATEWAY_TOKEN>`
 * (/ai-gateway/configuration/authentication) and otherwise answers as the real one does: HTTP 401 with
 * {"success":false,"result":[],"messages":[],"error":[{"code":2009,"message":"Unauthorized"}]}.
 * GET /__fake/requests lists what it forwarded or refused.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { FakeServer } from './server.ts';

export const GATEWAY_TOKEN = 'test-gateway-token-0123456789';
export const GATEWAY_ACCOUNT = '0123456789abcdef0123456789abcdef';

export interface GatewayRequest {
  method: string;
  account: string;
  gateway: string;
  provider: string;
  /** The path sent on to the provider. */
  path: string;
  authorization: string | undefined;
  status: number;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startAiGatewayFake(upstreams: { openai: string; gemini: string }): Promise<FakeServer> {
  const seen: GatewayRequest[] = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (url.pathname === '/__fake/requests') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(seen));
    }
    const match = /^\/v1\/([^/]+)\/([^/]+)\/(openai|google-ai-studio)(\/.*)$/.exec(url.pathname);
    if (!match) {
      res.writeHead(404, { 'content-type': 'application/json' });
      return res.end(
        JSON.stringify({ success: false, result: [], messages: [], error: [{ code: 2001, message: 'Not found' }] }),
      );
    }
    const [, account, gateway, provider, rest] = match as unknown as [string, string, string, string, string];
    const path = provider === 'openai' ? `/v1${rest}` : rest;
    const authorization = req.headers['cf-aig-authorization'] as string | undefined;
    const record: GatewayRequest = {
      method: req.method ?? 'GET',
      account,
      gateway,
      provider,
      path,
      authorization,
      status: 0,
    };
    seen.push(record);
    if (gateway === 'authenticated' && authorization !== `Bearer ${GATEWAY_TOKEN}`) {
      record.status = 401;
      res.writeHead(401, { 'content-type': 'application/json' });
      return res.end(
        JSON.stringify({ success: false, result: [], messages: [], error: [{ code: 2009, message: 'Unauthorized' }] }),
      );
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || ['host', 'content-length', 'connection', 'cf-aig-authorization'].includes(name))
        continue;
      headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const body = await readBody(req);
    const upstream = await fetch(`${provider === 'openai' ? upstreams.openai : upstreams.gemini}${path}${url.search}`, {
      method: req.method,
      headers,
      ...(body.length > 0 && { body: new Uint8Array(body) }),
    });
    record.status = upstream.status;
    const answer = Buffer.from(await upstream.arrayBuffer());
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    res.end(answer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('fake did not bind');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests: [],
    unexpected: [],
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
