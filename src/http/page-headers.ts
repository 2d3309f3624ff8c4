/**
 * Headers for the server's own HTML pages (the gallery, the OAuth sign-in): a strict nonce'd CSP that
 * loads nothing by default and cannot be framed, no Referer (their URLs can carry signed links or OAuth
 * requests), nothing cached or indexed. Each page adds only the sources it needs.
 */
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { NONCE, secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from './types';

type Policy = NonNullable<NonNullable<Parameters<typeof secureHeaders>[0]>['contentSecurityPolicy']>;

export function pageHeaders(policy: Policy) {
  return [
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        styleSrc: [NONCE],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        ...policy,
      },
      referrerPolicy: 'no-referrer',
      xFrameOptions: 'DENY',
    }),
    createMiddleware<AppEnv>(async (c, next) => {
      await next();
      c.header('Cache-Control', 'private, no-store');
      c.header('X-Robots-Tag', 'noindex');
    }),
  ] as const;
}

export const nonceOf = (c: Context<AppEnv>) => c.get('secureHeadersNonce') ?? '';
