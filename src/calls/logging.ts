/**
 * The MCP logging capability (deprecated by 2026-07-28, SEP-2577, and kept for the clients that use it). Which
 * notifications/message entries a tool call sends depends on the era its server instance serves:
 * - 2026-07-28: only what the request asks for in `_meta["io.modelcontextprotocol/logLevel"]`; without it, none
 *   (the spec's MUST NOT: modelcontextprotocol.io/specification/2026-07-28/server/utilities/logging).
 * - 2025 era: that same `_meta` key when present, else the last logging/setLevel this instance received, else
 *   DEFAULT_LOG_LEVEL. An instance lives for one Streamable HTTP POST (so setLevel holds for the rest of that
 *   batch only, there being no session) or for one legacy SSE stream (so setLevel holds for the stream).
 * Entries carry ids and outcomes, never secrets.
 */
import {
  type JSONRPCMessage,
  LOG_LEVEL_META_KEY,
  type LoggingLevel,
  type McpServer,
  type ServerContext,
  specTypeSchemas,
} from '@modelcontextprotocol/server';
import { describeError } from '../errors';
import { log } from '../log';
import { envelopeValue } from './envelope';
import { eraOf } from './era';

export { LOG_LEVEL_META_KEY };
export const DEFAULT_LOG_LEVEL: LoggingLevel = 'info';
const LOGGER = 'imagegen';

/** Tools that send log entries while they run: a client that takes event streams gets these calls streamed. */
export const TOOLS_THAT_LOG: ReadonlySet<string> = new Set([
  'generate_image',
  'generate_image_and_wait',
  'edit_image',
  'wait_for_completion',
]);

/** The syslog severities (RFC 5424) the spec's levels follow, least severe first. */
const LEVELS = [
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
] as const satisfies readonly LoggingLevel[];
const SEVERITY = new Map<LoggingLevel, number>(LEVELS.map((level, index) => [level, index]));

/** The level set by logging/setLevel (2025 era only), per server instance: per POST, or per SSE stream. */
const setLevels = new WeakMap<McpServer, { level?: LoggingLevel }>();

/** Declares the capability and answers logging/setLevel; call before connecting. */
export function enableLogging(server: McpServer): void {
  const state: { level?: LoggingLevel } = {};
  setLevels.set(server, state);
  server.server.registerCapabilities({ logging: {} });
  server.server.setRequestHandler('logging/setLevel', (request) => {
    state.level = request.params.level;
    return {};
  });
}

export type CallLog = (level: LoggingLevel, message: string, fields?: Record<string, unknown>) => Promise<void>;

/** The level in effect for one call (see the module comment); undefined means send nothing. */
export function levelFor(server: McpServer, ctx: Pick<ServerContext, 'mcpReq'>): LoggingLevel | undefined {
  const asked = specTypeSchemas.LoggingLevel['~standard'].validate(envelopeValue(ctx, LOG_LEVEL_META_KEY));
  if (!asked.issues) return asked.value;
  if (eraOf(server) === 'modern') return undefined;
  return setLevels.get(server)?.level ?? DEFAULT_LOG_LEVEL;
}

const silent: CallLog = async () => {};

/**
 * A logger for one request: entries at or above its level go to the client as notifications/message tied to
 * the request, so they travel on its response stream. A client that has gone away does not fail the call.
 */
export function callLog(server: McpServer, ctx: ServerContext): CallLog {
  const level = levelFor(server, ctx);
  if (level === undefined) return silent;
  const threshold = SEVERITY.get(level)!;
  return async (entryLevel, message, fields = {}) => {
    if (SEVERITY.get(entryLevel)! < threshold) return;
    try {
      await ctx.mcpReq.notify({
        method: 'notifications/message',
        params: { level: entryLevel, logger: LOGGER, data: { message, ...fields } },
      });
    } catch (error) {
      log.warn('log notification not delivered', { error: describeError(error) });
    }
  };
}

/** Whether answering 2025-era `messages` may send notifications, so the response should be an event stream. */
export function mayNotify(messages: readonly JSONRPCMessage[]): boolean {
  return messages.some((m) => {
    if (!('method' in m)) return false;
    const meta = m.params?._meta;
    if (meta?.progressToken !== undefined || meta?.[LOG_LEVEL_META_KEY] !== undefined) return true;
    return m.method === 'tools/call' && TOOLS_THAT_LOG.has(String(m.params?.name));
  });
}
