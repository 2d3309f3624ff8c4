/**
 * What each MCP client does with an `image` content block in a tool result, keyed by the `clientInfo.name` it
 * sends (in `initialize`, or per request in the 2026-07-28 `_meta` envelope). A client that shows images to the
 * person and hands them to the model as images (not as text) gets one small inline thumbnail by default; every
 * other client, and any client not listed, gets links only, since a base64 block it cannot show costs context.
 * Each row is sourced from the client's own code or issues (docs/clients.md has the full table).
 */

export interface ClientProfile {
  /** The exact clientInfo.name, or a prefix when the name carries the user's own label. */
  name: string;
  prefix?: boolean;
  label: string;
  /** Shows image blocks to the person, and does not paste them into the model's context as text. */
  thumbnail: boolean;
  source: string;
}

export const CLIENT_PROFILES: readonly ClientProfile[] = [
  {
    name: 'claude-ai',
    label: 'Claude Desktop, claude.ai',
    thumbnail: true,
    source: 'github.com/anthropics/claude-ai-mcp/issues/238 (images shown in the tool-call view, sent as images)',
  },
  {
    name: 'claude-code',
    label: 'Claude Code',
    thumbnail: false,
    source: 'github.com/anthropics/claude-code/issues/53980 (the CLI shows no inline image)',
  },
  {
    name: 'inspector-client',
    label: 'MCP Inspector 0.x (web)',
    thumbnail: true,
    source: 'modelcontextprotocol/inspector client/src/components/ToolResults.tsx (renders <img> from data)',
  },
  {
    name: 'mcp-inspector',
    label: 'MCP Inspector 2.x (web)',
    thumbnail: true,
    source: 'modelcontextprotocol/inspector core/mcp/inspectorClient.ts, ContentViewer.tsx case "image"',
  },
  {
    name: 'Visual Studio Code',
    prefix: true,
    label: 'VS Code (Copilot Chat)',
    thumbnail: true,
    source: 'microsoft/vscode src/vs/workbench/contrib/mcp (images in the tool details, sent as data parts)',
  },
  {
    name: 'cursor-vscode',
    label: 'Cursor',
    thumbnail: true,
    source: 'forum.cursor.com/t/support-reading-images-from-mcp-tools/56094 (renders images since 0.49)',
  },
  {
    name: 'goose',
    prefix: true,
    label: 'Goose',
    thumbnail: true,
    source: 'block/goose ui/desktop/src/components/ToolCallWithResponse.tsx (renders <img>)',
  },
  {
    name: 'better-chatbot-',
    prefix: true,
    label: 'Better Chatbot',
    thumbnail: false,
    source: 'cgoinglove/better-chatbot src/lib/ai/mcp/create-mcp-client.ts (whole result into the context as JSON)',
  },
  {
    name: 'openai-mcp',
    label: 'ChatGPT',
    thumbnail: false,
    source: 'community.openai.com reports: image blocks come back empty',
  },
  {
    name: 'gemini-cli-mcp-client',
    label: 'Gemini CLI',
    thumbnail: false,
    source: 'google-gemini/gemini-cli packages/core/src/tools/mcp-tool.ts (shows "[Image: …]")',
  },
  {
    name: 'codex-mcp-client',
    label: 'OpenAI Codex',
    thumbnail: false,
    source: 'github.com/openai/codex/issues/29451 (image output shown as a placeholder)',
  },
];

export function profileOf(clientName: string | undefined): ClientProfile | undefined {
  if (!clientName) return undefined;
  return CLIENT_PROFILES.find((p) => (p.prefix ? clientName.startsWith(p.name) : clientName === p.name));
}

export type InlinePreviewSetting = 'auto' | 'always' | 'never';

/** What a result carries inline: nothing, one small thumbnail, or up to four previews (include_preview: true). */
export type PreviewMode = 'none' | 'thumbnail' | 'previews';

/** The call's own include_preview wins; then the INLINE_PREVIEW setting; on auto, the client's row. */
export function previewMode(
  includePreview: boolean | undefined,
  setting: InlinePreviewSetting,
  clientName: string | undefined,
): PreviewMode {
  if (includePreview !== undefined) return includePreview ? 'previews' : 'none';
  if (setting === 'never') return 'none';
  if (setting === 'always') return 'thumbnail';
  return profileOf(clientName)?.thumbnail ? 'thumbnail' : 'none';
}
