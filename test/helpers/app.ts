/** The Worker's fetch with bindings or settings changed, as an operator (or a removed binding) would change them. */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { app } from '../../src/http/app';
import worker from '../../src/index';
import { TOKENS } from './tokens';

export async function fetchWith(overrides: Record<string, unknown>, request: Request): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await app.fetch(request, { ...env, ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** A JSON-RPC request POSTed to /mcp the way a plain-JSON client (curl, a script) sends it. */
export function rpcCall(
  method: string,
  params: Record<string, unknown> | undefined,
  options: { token?: string; url?: string; headers?: Record<string, string> } = {},
): Request {
  return new Request(options.url ?? 'http://localhost/mcp', {
    method: 'POST',
    headers: {
      authorization: `Bearer ${options.token ?? TOKENS.alice}`,
      'content-type': 'application/json',
      accept: 'application/json',
      ...options.headers,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, ...(params && { params }) }),
  });
}

/** A tools/call, as rpcCall sends it. */
export function toolCall(
  name: string,
  args: Record<string, unknown>,
  options: { token?: string; url?: string; headers?: Record<string, string> } = {},
): Request {
  return rpcCall('tools/call', { name, arguments: args }, options);
}

/** The whole Worker's fetch (OAuth in front of the app, as deployed) with settings changed. */
export async function workerFetchWith(overrides: Record<string, unknown>, request: Request): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}
