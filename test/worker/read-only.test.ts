/**
 * READ_ONLY=true: the tools that make, change or delete anything are offered to nobody (as the Python server's
 * read-only mode): tools/list leaves them out, a call of one is an unknown tool, and everything else works.
 */
import { describe, expect, it } from 'vitest';
import { WRITE_TOOLS } from '../../src/tools';
import { fetchWith, rpcCall, toolCall } from '../helpers/app';
import { TOOL_NAMES } from '../helpers/tool-names';

const readOnly = { READ_ONLY: 'true' };

async function reply<T>(request: Request): Promise<T> {
  return (await (await fetchWith(readOnly, request)).json()) as T;
}

describe('READ_ONLY', () => {
  it('lists only the tools that change nothing', async () => {
    const listed = await reply<{ result: { tools: Array<{ name: string }> } }>(rpcCall('tools/list', undefined));
    const names = listed.result.tools.map((t) => t.name);
    expect(WRITE_TOOLS.size).toBeGreaterThan(0);
    expect(names.filter((n) => WRITE_TOOLS.has(n))).toEqual([]);
    expect(names.sort()).toEqual(TOOL_NAMES.filter((n) => !WRITE_TOOLS.has(n)).sort());
    expect([...WRITE_TOOLS].sort()).toEqual(
      ['delete_image', 'delete_style', 'edit_image', 'generate_image', 'generate_image_and_wait', 'save_style'].sort(),
    );
  });

  it('treats a call of a writing tool as an unknown tool, and serves the others', async () => {
    const refused = await reply<{ result?: { isError: boolean; content: Array<{ text: string }> }; error?: object }>(
      toolCall('generate_image', { prompt: 'x', provider: 'placeholder' }),
    );
    const said = JSON.stringify(refused);
    expect(refused.error ?? refused.result?.isError).toBeTruthy();
    expect(said).toMatch(/generate_image/);
    const info = await reply<{ result: { isError?: boolean } }>(toolCall('get_server_info', {}));
    expect(info.result.isError).toBeFalsy();
  });
});
