/**
 * Per-subject request rate limit through the Workers Rate Limiting binding (RATE_LIMITER in wrangler.jsonc).
 * On when several subjects or anonymous callers share the server, or with RATE_LIMIT=on; see config.ts.
 */
import { createMiddleware } from 'hono/factory';
import { RATE_LIMIT } from '../config';
import { AppError } from '../errors';
import type { AppEnv } from './types';

export const rateLimit = createMiddleware<AppEnv>(async (c, next) => {
  const limiter = c.env.RATE_LIMITER;
  if (c.var.config.rateLimit && limiter) {
    const { success } = await limiter.limit({ key: `subject:${c.var.subject}` });
    if (!success) {
      throw new AppError(
        'rate_limited',
        `Too many requests: each access token may make ${RATE_LIMIT.requests} requests per ` +
          `${RATE_LIMIT.periodSeconds} seconds. Retry in ${RATE_LIMIT.periodSeconds} seconds.`,
        { retryAfterSeconds: RATE_LIMIT.periodSeconds },
      );
    }
  }
  await next();
});
