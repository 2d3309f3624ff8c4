/**
 * Per-subject request rate limit through the Workers Rate Limiting binding (RATE_LIMITER in wrangler.jsonc).
 * On when several subjects or anonymous callers share the server, or with RATE_LIMIT=on; see config.ts.
 * Every JSON-RPC message counts: a batch spends one request per message (see mcp-route.ts).
 */
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { RATE_LIMIT } from '../config';
import { AppError } from '../errors';
import type { AppEnv } from './types';

/** Spends `count` of the subject's requests, or throws rate_limited when any of them is over the limit. */
export async function spendRequests(c: Context<AppEnv>, count: number): Promise<void> {
  const limiter = c.env.RATE_LIMITER;
  if (!c.var.config.rateLimit || !limiter || count < 1) return;
  // The binding counts one per call; a batch's extra messages are spent together.
  const key = `subject:${c.var.subject}`;
  const outcomes = await Promise.all(Array.from({ length: count }, () => limiter.limit({ key })));
  if (outcomes.every((o) => o.success)) return;
  throw new AppError(
    'rate_limited',
    `Too many requests: each access token may make ${RATE_LIMIT.requests} requests per ` +
      `${RATE_LIMIT.periodSeconds} seconds (each message of a batch counts). Retry in ${RATE_LIMIT.periodSeconds} seconds.`,
    { retryAfterSeconds: RATE_LIMIT.periodSeconds },
  );
}

export const rateLimit = createMiddleware<AppEnv>(async (c, next) => {
  await spendRequests(c, 1);
  await next();
});
