/**
 * What every conversation pays for the tools: tools/list as clients of both revisions receive it from the Worker
 * as a real process, within its byte budgets (issue #16: the whole list ≤ 24 KB, the part a client hands the
 * model ≤ 10 KB), every tool and argument described, and no schema-portability finding from MCP Inspector's
 * `--strict` lint (the official tool, an exact version in package.json).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { modernBody, modernHeaders } from '../helpers/modern-request';
import { TOKENS } from '../helpers/tokens';
import { TOOL_NAMES } from '../helpers/tool-names';
import { postMcp } from './rpc';

/** Bytes of JSON as sent (compact), in kB of 1,000 as the issue counts them. */
const FULL_LIST_BUDGET = 24_000;
const MODEL_FACING_BUDGET = 10_000;

interface ListedTool {
  name: string;
  description?: string;
  inputSchema: { properties?: Record<string, { description?: string }> };
}

async function listTools(era: '2025' | '2026'): Promise<ListedTool[]> {
  const response =
    era === '2026'
      ? await postMcp(modernBody('tools/list', {}), { Accept: 'application/json', ...modernHeaders('tools/list', {}) })
      : await postMcp({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { Accept: 'application/json' });
  const reply = (await response.json()) as { result: { tools: ListedTool[] } };
  return reply.result.tools;
}

/** name, description and inputSchema: what a host turns into the model's function declarations. */
const modelFacing = (tools: ListedTool[]) =>
  tools.map(({ name, description, inputSchema }) => ({ name, description, inputSchema }));

describe('tool definitions', () => {
  for (const era of ['2025', '2026'] as const) {
    it(`fit their budgets for a ${era}-era client, every tool and argument described`, async () => {
      const tools = await listTools(era);
      expect(tools.map((t) => t.name).sort()).toEqual([...TOOL_NAMES].sort());
      expect(JSON.stringify(tools).length).toBeLessThanOrEqual(FULL_LIST_BUDGET);
      expect(JSON.stringify(modelFacing(tools)).length).toBeLessThanOrEqual(MODEL_FACING_BUDGET);
      for (const tool of tools) {
        expect(tool.description, tool.name).toBeTruthy();
        for (const [argument, schema] of Object.entries(tool.inputSchema.properties ?? {}))
          expect(schema.description, `${tool.name}.${argument}`).toBeTruthy();
      }
    });
  }

  it("pass MCP Inspector's --strict schema-portability lint with no finding", async () => {
    const root = new URL('../../', import.meta.url).pathname;
    // The CLI keeps a catalogue of servers; point it away from the home directory.
    const scratch = await mkdtemp(join(tmpdir(), 'imagegen-inspector-'));
    try {
      const { stdout } = await promisify(execFile)(
        join(root, 'node_modules/.bin/mcp-inspector'),
        ['--cli', `${inject('baseUrl')}/mcp`, '--transport', 'http', '--method', 'tools/list', '--strict'].concat([
          '--format',
          'json',
          '--header',
          `Authorization: Bearer ${TOKENS.alice}`,
        ]),
        { env: { ...process.env, MCP_CATALOG_PATH: join(scratch, 'mcp.json') }, maxBuffer: 16 * 1024 * 1024 },
      );
      // With --format json the findings ride in the envelope beside the result (schemaFindings), only if any.
      const envelope = JSON.parse(stdout) as { result: { tools: ListedTool[] }; schemaFindings?: unknown };
      expect(envelope.result.tools).toHaveLength(TOOL_NAMES.length);
      expect(envelope.schemaFindings).toBeUndefined();
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
