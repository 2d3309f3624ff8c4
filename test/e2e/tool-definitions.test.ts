/**
 * What every conversation pays for the tools: tools/list as clients of both revisions receive it from the Worker
 * as a real process, within its byte budgets (issue #16: the whole list ≤ 24 KB, the part a client hands the
 * model ≤ 10 KB), every tool and argument described, and no schema-portability finding from MCP Inspector's
 * `--strict` lint (the official tool, an exact version in package.json).
 */
import { describe, expect, inject, it } from 'vitest';
import { modernBody, modernHeaders } from '../helpers/modern-request';
import { TOKENS } from '../helpers/tokens';
import { FULL_LIST_BUDGET, inspectorStrict, MODEL_FACING_BUDGET, toolListBytes } from '../helpers/tool-definitions';
import { TOOL_NAMES } from '../helpers/tool-names';
import { postMcp } from './rpc';

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

describe('tool definitions', () => {
  for (const era of ['2025', '2026'] as const) {
    it(`fit their budgets for a ${era}-era client, every tool and argument described`, async () => {
      const tools = await listTools(era);
      expect(tools.map((t) => t.name).sort()).toEqual([...TOOL_NAMES].sort());
      const bytes = toolListBytes(tools);
      expect(bytes.full).toBeLessThanOrEqual(FULL_LIST_BUDGET);
      expect(bytes.modelFacing).toBeLessThanOrEqual(MODEL_FACING_BUDGET);
      for (const tool of tools) {
        expect(tool.description, tool.name).toBeTruthy();
        for (const [argument, schema] of Object.entries(tool.inputSchema.properties ?? {}))
          expect(schema.description, `${tool.name}.${argument}`).toBeTruthy();
      }
    });
  }

  it("pass MCP Inspector's --strict schema-portability lint with no finding", async () => {
    const lint = await inspectorStrict(`${inject('baseUrl')}/mcp`, { Authorization: `Bearer ${TOKENS.alice}` });
    expect(lint.tools).toHaveLength(TOOL_NAMES.length);
    expect(lint.findings).toBe(0);
  });
});
