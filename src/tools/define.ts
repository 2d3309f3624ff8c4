/** The shape every tool module exports: its name, its config and a function that registers it. */
import type { McpServer } from '@modelcontextprotocol/server';
import type { RequestContext } from '../calls/context';

export type ToolRegistrar = (server: McpServer, ctx: RequestContext) => void;

/** The four annotation hints, spelled out for every tool. */
export const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
export const CREATES_JOBS = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true };
