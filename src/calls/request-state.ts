/**
 * The integrity of multi-round-trip `requestState` (2026-07-28, SEP-2322: the server MUST verify state the
 * client echoes). The SDK's HMAC codec seals each state, expiring after ten minutes and bound to the caller's
 * subject, under a key derived from the deployment's signing secret (IMAGE_SIGNING_KEY, or the one kept in D1),
 * so any isolate can verify what another minted and no two purposes share a key. The SDK runs `verify` before a
 * handler sees the state; a refusal is its fixed -32602 "Invalid or expired requestState".
 */
import { createRequestStateCodec, type RequestStateCodec, type ServerContext } from '@modelcontextprotocol/server';
import { hmac } from '../images/signing';

export const REQUEST_STATE_TTL_SECONDS = 600;

export interface RequestStates {
  mint(payload: unknown, ctx: ServerContext): Promise<string>;
  verify(state: string, ctx: ServerContext): Promise<unknown>;
}

/** The codec for one subject's requests, built on first use (most requests never carry state). */
export function requestStates(secret: () => Promise<string>, subject: string): RequestStates {
  let codec: Promise<RequestStateCodec> | undefined;
  const get = () => {
    codec ??= secret().then(async (value) =>
      createRequestStateCodec({
        // A key of its own, derived from the signing secret, so no two purposes share one.
        key: await hmac(value, 'imagegen-mcp/request-state/v1'),
        ttlSeconds: REQUEST_STATE_TTL_SECONDS,
        bind: () => subject,
      }),
    );
    return codec;
  };
  return {
    mint: async (payload, ctx) => (await get()).mint(payload, ctx),
    verify: async (state, ctx) => (await get()).verify(state, ctx),
  };
}
