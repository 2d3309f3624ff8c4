/**
 * The protocol era a server instance serves, set once when it is built (src/mcp/server.ts): per-request
 * information (client capabilities, client name, log level) comes from the request's `_meta` envelope on
 * 2026-07-28, and from what `initialize` told the instance in the 2025 era, where the same `_meta` keys are only
 * ever a client's extra (the SDK lifts them in both eras).
 */
import type { McpServer } from '@modelcontextprotocol/server';

export type Era = 'legacy' | 'modern';

const eras = new WeakMap<McpServer, Era>();

export function setEra(server: McpServer, era: Era): void {
  eras.set(server, era);
}

export function eraOf(server: McpServer): Era {
  return eras.get(server) ?? 'legacy';
}
