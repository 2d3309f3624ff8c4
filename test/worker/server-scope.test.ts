/** A stateless POST builds only what its one request needs; whatever it builds answers as the full server would. */
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { scopeFor } from '../../src/mcp/server';
import { fetchWith, rpcCall } from '../helpers/app';
import { rpc } from '../helpers/mcp';
import { modernRpc } from '../helpers/modern';

const request = (method: string, params?: Record<string, unknown>): JSONRPCMessage => ({
  jsonrpc: '2.0',
  id: 1,
  method,
  ...(params && { params }),
});

describe('scopeFor', () => {
  it.each([
    [[request('tools/list')], { part: 'tool-list' }],
    [[request('tools/call', { name: 'get_job_status', arguments: {} })], { part: 'tools', tool: 'get_job_status' }],
    [[request('tools/call', { name: 'no_such_tool' })], { part: 'tools' }],
    [[request('tools/call', { name: 'generate_image_and_wait', task: {} })], { part: 'all' }],
    [[request('resources/read', { uri: 'image://list' })], { part: 'resources' }],
    [[request('resources/templates/list')], { part: 'resources' }],
    [[request('prompts/get', { name: 'prompt_guide' })], { part: 'prompts' }],
    [[request('initialize', {})], { part: 'all' }],
    [[request('completion/complete', {})], { part: 'all' }],
    [[request('tools/list'), request('prompts/list')], { part: 'all' }],
    [[{ jsonrpc: '2.0', method: 'notifications/initialized' } as JSONRPCMessage], { part: 'all' }],
  ])('%j → %j', (messages, scope) => {
    expect(scopeFor(messages)).toEqual(scope);
  });
});

describe('scoped servers', () => {
  it('still say which tool does not exist, and still list everything', async () => {
    const unknown = await rpc('tools/call', { name: 'no_such_tool', arguments: {} });
    expect(JSON.stringify(unknown)).toMatch(/no_such_tool/);
    expect(unknown.error?.code ?? (unknown.result?.isError ? 'tool error' : undefined)).toBeDefined();
    const init = await rpc('initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'scope-test', version: '1.0.0' },
    });
    expect(Object.keys((init.result?.capabilities ?? {}) as object)).toEqual(
      expect.arrayContaining(['tools', 'resources', 'prompts', 'logging', 'completions']),
    );
  });
});

describe('the kept tool listing', () => {
  const names = (tools: unknown) => (tools as Array<{ name: string }>).map((t) => t.name);

  it('answers each era what its first listing answered, and what a full server lists', async () => {
    const legacy = [(await rpc('tools/list')).result, (await rpc('tools/list')).result];
    expect(legacy[1]).toEqual(legacy[0]);
    // A batch is served by a full server (scope "all"), which registers every tool itself.
    const full = await rpc('initialize', {
      protocolVersion: '2025-03-26',
      capabilities: {},
      clientInfo: { name: 'scope-test', version: '1.0.0' },
    });
    expect(full.result).toBeDefined();
    const modern = [(await modernRpc('tools/list')).reply.result, (await modernRpc('tools/list')).reply.result];
    expect(modern[1]).toEqual(modern[0]);
    expect(names(modern[0]?.tools)).toEqual(names(legacy[0]?.tools));
    // The eras differ (2025 lists task support in core; 2026-07-28 adds caching hints), so each keeps its own.
    expect(modern[0]).toMatchObject({ ttlMs: expect.any(Number), cacheScope: 'public' });
    expect(legacy[0]).not.toHaveProperty('ttlMs');
  });

  it('is kept per configuration: READ_ONLY lists fewer tools, and the full list comes back without it', async () => {
    const list = async (overrides: Record<string, unknown>) => {
      const response = await fetchWith(overrides, rpcCall('tools/list', undefined));
      return names(((await response.json()) as { result: { tools: unknown } }).result.tools);
    };
    const all = await list({});
    const readOnly = await list({ READ_ONLY: 'true' });
    expect(readOnly.length).toBeGreaterThan(0);
    expect(readOnly.length).toBeLessThan(all.length);
    expect(await list({})).toEqual(all);
    expect(await list({ READ_ONLY: 'true' })).toEqual(readOnly);
  });
});
