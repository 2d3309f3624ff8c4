/**
 * The per-request `_meta` envelope of a 2026-07-28 request (SEP-2575): protocol version, client info and
 * capabilities, log level. The SDK lifts these keys out of `_meta` before a handler runs and keeps them on
 * `ctx.mcpReq.envelope`, typed as an empty object, so they are read here by key and checked by the caller.
 */
import { CLIENT_INFO_META_KEY, type McpServer, type ServerContext } from '@modelcontextprotocol/server';

export function envelopeValue(ctx: Pick<ServerContext, 'mcpReq'>, key: string): unknown {
  const envelope = ctx.mcpReq.envelope as Readonly<Record<string, unknown>> | undefined;
  return envelope?.[key];
}

/**
 * The client's name: per request on 2026-07-28 (`io.modelcontextprotocol/clientInfo`), or what `initialize`
 * told this server instance on a 2025-era connection (a stateless POST never initialized it: undefined).
 */
export function clientNameOf(server: McpServer, ctx: Pick<ServerContext, 'mcpReq'>): string | undefined {
  const info = (envelopeValue(ctx, CLIENT_INFO_META_KEY) ?? server.server.getClientVersion()) as
    | { name?: unknown }
    | undefined;
  return typeof info?.name === 'string' ? info.name : undefined;
}
