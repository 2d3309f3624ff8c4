/**
 * The MCP logging capability. The level that decides which notifications/message entries a tool call sends is,
 * in order: the call's own `_meta["io.modelcontextprotocol/logLevel"]` (the stateless way newer clients ask),
 * else the last logging/setLevel this server instance received, else DEFAULT_LOG_LEVEL. A server instance lives
 * for one Streamable HTTP POST (so setLevel holds for the rest of that batch only, there being no session) or
 * for one legacy SSE stream (so setLevel holds for the stream). Entries carry ids and outcomes, never secrets.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  type JSONRPCMessage,
  type LoggingLevel,
  LoggingLevelSchema,
  type ServerNotification,
  type ServerRequest,
  SetLevelRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { describeError } from '../errors';
import { log } from '../log';

export const DEFAULT_LOG_LEVEL: LoggingLevel = 'info';
export const LOG_LEVEL_META_KEY = 'io.modelcontextprotocol/logLevel';
const LOGGER = 'imagegen';

/** Tools that send log entries while they run: a client that takes event streams gets these calls streamed. */
export const TOOLS_THAT_LOG: ReadonlySet<string> = new Set([
  'generate_image',
  'generate_image_and_wait',
  'edit_image',
  'wait_for_completion',
]);

const SEVERITY = new Map(LoggingLevelSchema.options.map((level, index) => [level, index]));

/** The level set by logging/setLevel, per server instance (so per POST, or per SSE stream). */
const levels = new WeakMap<McpServer, LoggingLevel>();

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** Declares the capability and answers logging/setLevel; call before connecting. */
export function enableLogging(server: McpServer): void {
  server.server.registerCapabilities({ logging: {} });
  server.server.setRequestHandler(SetLevelRequestSchema, (request) => {
    levels.set(server, request.params.level);
    return {};
  });
}

export type CallLog = (level: LoggingLevel, message: string, fields?: Record<string, unknown>) => Promise<void>;

/** The level in effect for one call (see the module comment). */
export function levelFor(server: McpServer, extra: Pick<Extra, '_meta'>): LoggingLevel {
  const asked = LoggingLevelSchema.safeParse(extra._meta?.[LOG_LEVEL_META_KEY]);
  return asked.success ? asked.data : (levels.get(server) ?? DEFAULT_LOG_LEVEL);
}

/**
 * A logger for one request: entries at or above its level go to the client as notifications/message tied to
 * the request, so they travel on its response stream. A client that has gone away does not fail the call.
 */
export function callLog(server: McpServer, extra: Extra): CallLog {
  const threshold = SEVERITY.get(levelFor(server, extra))!;
  return async (level, message, fields = {}) => {
    if (SEVERITY.get(level)! < threshold) return;
    try {
      await extra.sendNotification({
        method: 'notifications/message',
        params: { level, logger: LOGGER, data: { message, ...fields } },
      });
    } catch (error) {
      log.warn('log notification not delivered', { error: describeError(error) });
    }
  };
}

/** Whether answering `messages` may send notifications, so the response should be an event stream. */
export function mayNotify(messages: readonly JSONRPCMessage[]): boolean {
  return messages.some((m) => {
    if (!('method' in m)) return false;
    const meta = m.params?._meta;
    if (meta?.progressToken !== undefined || meta?.[LOG_LEVEL_META_KEY] !== undefined) return true;
    return m.method === 'tools/call' && TOOLS_THAT_LOG.has(String(m.params?.name));
  });
}
