/**
 * What the client says about itself, by era (see era.ts): on 2026-07-28 the request's `_meta` envelope
 * (SEP-2575), which the SDK lifts out of `_meta` onto `ctx.mcpReq.envelope`, typed as an empty object, so it is
 * read here by key; in the 2025 era what `initialize` told this server instance (a stateless POST never
 * initialized one, so it says nothing).
 */
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  type McpServer,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { eraOf } from './era';

export function envelopeValue(ctx: Pick<ServerContext, 'mcpReq'>, key: string): unknown {
  const envelope = ctx.mcpReq.envelope as Readonly<Record<string, unknown>> | undefined;
  return envelope?.[key];
}

/** The client's declared capabilities for this request, as an untrusted record. */
export function clientCapabilitiesOf(
  server: McpServer,
  ctx: Pick<ServerContext, 'mcpReq'>,
): Readonly<Record<string, unknown>> {
  const declared =
    eraOf(server) === 'modern'
      ? envelopeValue(ctx, CLIENT_CAPABILITIES_META_KEY)
      : server.server.getClientCapabilities();
  return typeof declared === 'object' && declared !== null ? (declared as Record<string, unknown>) : {};
}

/** The client's `clientInfo.name`, when it said one. */
export function clientNameOf(server: McpServer, ctx: Pick<ServerContext, 'mcpReq'>): string | undefined {
  const info = (
    eraOf(server) === 'modern' ? envelopeValue(ctx, CLIENT_INFO_META_KEY) : server.server.getClientVersion()
  ) as { name?: unknown } | undefined;
  return typeof info?.name === 'string' ? info.name : undefined;
}
