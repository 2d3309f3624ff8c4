/**
 * What a tools/list costs the conversations that mount the server, measured the same way by the end-to-end test
 * and by `npm run bench` (issue #16's budgets): the listing's size, the part a host hands the model, and MCP
 * Inspector's `--strict` schema-portability findings (the official CLI, an exact version in package.json).
 * Node-only, imported with .ts extensions so that the bench can run it as it is.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** Bytes of compact JSON, in kB of 1,000 as the issue counts them. */
export const FULL_LIST_BUDGET = 24_000;
export const MODEL_FACING_BUDGET = 10_000;

interface Tool {
  name: string;
  description?: string;
  inputSchema?: unknown;
}

/** Sizes of the tools/list result as sent, and of each tool's name, description and input schema. */
export function toolListBytes(tools: readonly Tool[]): { full: number; modelFacing: number } {
  const modelFacing = tools.map(({ name, description, inputSchema }) => ({ name, description, inputSchema }));
  return { full: JSON.stringify(tools).length, modelFacing: JSON.stringify(modelFacing).length };
}

/** `mcp-inspector --cli <mcpUrl> --method tools/list --strict --format json`: the tools it listed and its findings. */
export async function inspectorStrict(
  mcpUrl: string,
  headers: Record<string, string> = {},
): Promise<{ tools: Tool[]; findings: number }> {
  const root = new URL('../../', import.meta.url).pathname;
  const args = ['--cli', mcpUrl, '--transport', 'http', '--method', 'tools/list', '--strict', '--format', 'json'];
  for (const [name, value] of Object.entries(headers)) args.push('--header', `${name}: ${value}`);
  // The CLI keeps a catalogue of servers; point it away from the home directory.
  const scratch = await mkdtemp(join(tmpdir(), 'imagegen-inspector-'));
  try {
    const { stdout } = await promisify(execFile)(join(root, 'node_modules/.bin/mcp-inspector'), args, {
      env: { ...process.env, MCP_CATALOG_PATH: join(scratch, 'mcp.json') },
      maxBuffer: 16 * 1024 * 1024,
    });
    // With --format json the findings ride in the envelope beside the result (schemaFindings), only if any.
    const envelope = JSON.parse(stdout) as {
      result: { tools: Tool[] };
      schemaFindings?: Array<{ findings: unknown[] }>;
    };
    const findings = (envelope.schemaFindings ?? []).reduce((n, tool) => n + tool.findings.length, 0);
    return { tools: envelope.result.tools, findings };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
