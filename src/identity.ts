/**
 * Who this server is, and the MCP protocol revisions it speaks: 2026-07-28, the stateless revision served per
 * request with the `_meta` envelope (modelcontextprotocol.io/specification/2026-07-28), and every 2025-era
 * revision the SDK negotiates through `initialize` (its SUPPORTED_PROTOCOL_VERSIONS lists only those).
 */
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/server';

export const SERVER_INFO = { name: 'imagegen-mcp', title: 'Image generation', version: '0.1.0' };

export const MODERN_PROTOCOL_VERSION = '2026-07-28';
export const PROTOCOL_VERSIONS: readonly string[] = [MODERN_PROTOCOL_VERSION, ...SUPPORTED_PROTOCOL_VERSIONS];
