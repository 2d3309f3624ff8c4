/**
 * What an OAuth grant allows, checked before a message is served: every call needs images:read, and a call
 * of a tool that is not read-only (WRITE_TOOLS) needs images:write too. A grant short of that gets the MCP
 * scope challenge (403, error="insufficient_scope", every scope the call needs), so the client can ask the
 * person for more and retry. Configured tokens, local mode and anonymous callers have their subject's scopes
 * (SUBJECT_SCOPES; every scope unless it says less), and are refused with a plain 403.
 */
import { insufficientScope } from '@cloudflare/workers-oauth-provider';
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import type { Context } from 'hono';
import { AppError } from '../errors';
import { SCOPE } from '../oauth/scopes';
import { WRITE_TOOLS } from '../tools';
import type { AppEnv } from './types';

function writes(message: JSONRPCMessage): boolean {
  if (!('method' in message) || message.method !== 'tools/call') return false;
  const name = (message.params as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && WRITE_TOOLS.has(name);
}

/** The scope challenge for messages the caller's grant does not cover; undefined when it covers them. */
export function scopeRefusal(c: Context<AppEnv>, messages: readonly JSONRPCMessage[]): Response | undefined {
  const needed = messages.some(writes) ? [SCOPE.read, SCOPE.write] : [SCOPE.read];
  const missing = needed.filter((scope) => !c.var.scopes.has(scope));
  if (missing.length === 0) return undefined;
  const description = `This call needs ${needed.join(' and ')}; the access token was granted ${[...c.var.scopes].join(', ') || 'no scope'}.`;
  if (!c.var.auth) throw new AppError('forbidden', description);
  return insufficientScope(c.var.auth, needed, description);
}
