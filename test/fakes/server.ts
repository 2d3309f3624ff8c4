/**
 * A recording fake of an HTTP API, run in Node on a loopback port. Each fake answers only the routes its real
 * API has; anything else gets 404 and is recorded as unexpected, so a test can fail on any stray request.
 * Tests in workerd inspect it over HTTP: GET /__fake/requests, GET /__fake/unexpected, POST /__fake/reset.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface FakeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json?: unknown;
  /** A multipart/form-data body, parsed: text fields (repeated names keep every value) and file summaries. */
  form?: FakeForm;
}

export interface FakeForm {
  fields: Record<string, string[]>;
  /** `bytes` is for the fake's own checks; it is left out when the requests are reported as JSON. */
  files: Array<{ field: string; filename: string; type: string; size: number; sha256: string; bytes: Buffer }>;
}

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Parsed as the real APIs do (undici's multipart parser); the bytes stay in the fake, only a digest is reported. */
async function parseForm(contentType: string, raw: Buffer): Promise<FakeForm> {
  const data = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
  const entries: Array<[string, string | File]> = [];
  data.forEach((value, field) => {
    entries.push([field, value]);
  });
  const form: FakeForm = { fields: {}, files: [] };
  for (const [field, value] of entries) {
    if (typeof value === 'string') form.fields[field] = [...(form.fields[field] ?? []), value];
    else {
      const bytes = Buffer.from(await value.arrayBuffer());
      const file = { field, filename: value.name, type: value.type, size: bytes.length, sha256: sha256(bytes) };
      form.files.push(
        Object.defineProperty(file, 'bytes', { value: bytes, enumerable: false }) as FakeForm['files'][0],
      );
    }
  }
  return form;
}

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array | object;
}

/** Returns a reply, 'hang' to never answer (until the client gives up), or undefined for "no such route". */
export type FakeHandler = (
  request: FakeRequest,
  state: FakeState,
) => Promise<FakeReply | 'hang' | undefined> | FakeReply | 'hang' | undefined;

export interface FakeState {
  /** How many times each key was seen; handy for "fail N times, then succeed". */
  count(key: string): number;
}

export interface FakeServer {
  url: string;
  requests: FakeRequest[];
  unexpected: FakeRequest[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, reply: FakeReply): void {
  const body = reply.body;
  const headers = { ...reply.headers };
  let payload: string | Uint8Array = '';
  if (body instanceof Uint8Array || typeof body === 'string') payload = body;
  else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['content-type'] ??= 'application/json';
  }
  res.writeHead(reply.status ?? 200, headers);
  res.end(payload);
}

export async function startFake(name: string, handler: FakeHandler): Promise<FakeServer> {
  const requests: FakeRequest[] = [];
  const unexpected: FakeRequest[] = [];
  const counts = new Map<string, number>();
  const state: FakeState = {
    count(key) {
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      return n;
    },
  };
  const hanging = new Set<ServerResponse>();
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = await readBody(req);
    const body = raw.toString('utf8');
    const request: FakeRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
      ),
      body,
    };
    try {
      request.json = body ? JSON.parse(body) : undefined;
    } catch {
      // not JSON (e.g. multipart); the raw body is kept
    }
    const type = request.headers['content-type'] ?? '';
    if (type.startsWith('multipart/form-data')) {
      try {
        request.form = await parseForm(type, raw);
        request.body = `[multipart form, ${raw.length} bytes]`;
      } catch {
        // left unparsed; the route answers as the real API does to a broken form
      }
    }
    if (url.pathname === '/__fake/requests') return send(res, { body: requests });
    if (url.pathname === '/__fake/unexpected') return send(res, { body: unexpected });
    if (url.pathname === '/__fake/reset') {
      requests.length = 0;
      unexpected.length = 0;
      counts.clear();
      return send(res, { body: { ok: true } });
    }
    requests.push(request);
    try {
      const reply = await handler(request, state);
      if (reply === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      if (!reply) {
        unexpected.push(request);
        return send(res, {
          status: 404,
          body: { error: { message: `${name} fake: no route ${request.method} ${request.path}` } },
        });
      }
      send(res, reply);
    } catch (error) {
      unexpected.push(request);
      send(res, { status: 500, body: { error: { message: `${name} fake crashed: ${String(error)}` } } });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('fake did not bind');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    unexpected,
    close: () =>
      new Promise((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Prompts steer the fakes, as the only input that reaches them unchanged: "FAKE:<mode>" anywhere in the prompt.
 * Modes: rate_limit, server_error, content_policy, bad_request, malformed, hang, flaky:N (fail N times, then work),
 * and noisy: succeed with a PNG of noise, as many bytes as a real model's (the bench's CPU figures).
 */
export function fakeMode(prompt: unknown): { mode: string; arg?: number } | null {
  const match = /FAKE:([a-z_]+)(?::(\d+))?/.exec(typeof prompt === 'string' ? prompt : '');
  if (!match) return null;
  return { mode: match[1]!, ...(match[2] && { arg: Number(match[2]) }) };
}

/** A tiny valid PNG (1x1, or the given size filled with one colour) for fakes to return. */
export { tinyPng } from './png.ts';
