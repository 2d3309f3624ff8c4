/** The shape every tool module exports: its name, its config and a function that registers it. */
import type { McpServer } from '@modelcontextprotocol/server';
import type { RequestContext } from '../calls/context';

export type ToolRegistrar = (server: McpServer, ctx: RequestContext) => void;

/**
 * Annotation hints. destructiveHint and idempotentHint are, in the MCP schema's words, "meaningful only when
 * `readOnlyHint == false`" (ToolAnnotations, schema.ts of every revision since 2025-03-26), so a read-only tool
 * states readOnlyHint and openWorldHint only; every other tool spells out all four, since destructiveHint
 * defaults to true and openWorldHint to true.
 */
export const READ_ONLY = { readOnlyHint: true, openWorldHint: false };
export const CREATES_JOBS = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true };
