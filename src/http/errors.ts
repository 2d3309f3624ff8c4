/** The HTTP layer's single error mapping: JSON bodies, JSON-RPC shaped on the MCP endpoints, never a stack. */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { AppError, describeError } from '../errors';
import { log } from '../log';
import type { AppEnv } from './types';

function isMcpPath(path: string): boolean {
  return path === '/mcp' || path === '/sse' || path.startsWith('/sse/');
}

export function errorResponse(
  c: Context<AppEnv>,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
) {
  const body = isMcpPath(c.req.path)
    ? { jsonrpc: '2.0', id: null, error: { code: status === 400 ? -32600 : -32000, message } }
    : { error: { code, message } };
  return c.json(body, status as 400, headers);
}

export function onError(error: Error, c: Context<AppEnv>) {
  if (error instanceof AppError) {
    const headers: Record<string, string> = {};
    if (error.code === 'unauthorized') headers['WWW-Authenticate'] = 'Bearer realm="imagegen-mcp"';
    if (error.retryAfterSeconds !== undefined) headers['Retry-After'] = String(error.retryAfterSeconds);
    if (error.status >= 500)
      log.error('request failed', { path: c.req.path, error: describeError(error.cause ?? error) });
    return errorResponse(c, error.status, error.code, error.message, headers);
  }
  if (error instanceof HTTPException && error.status < 500) {
    return errorResponse(c, error.status, 'bad_request', error.message || 'Bad request');
  }
  log.error('unhandled error', { path: c.req.path, error: describeError(error) });
  return errorResponse(c, 500, 'internal', 'Internal error. The request was not completed; please try again.');
}

export function notFound(c: Context<AppEnv>) {
  return errorResponse(c, 404, 'not_found', `No route for ${c.req.method} ${c.req.path}.`);
}
