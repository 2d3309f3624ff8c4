/** A stateless POST builds only what its one request needs; whatever it builds answers as the full server would. */
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { scopeFor } from '../../src/mcp/server';
import { rpc } from '../helpers/mcp';

const request = (method: string, params?: Record<string, unknown>): JSONRPCMessage => ({
  jsonrpc: '2.0',
  id: 1,
  method,
  ...(params && { params }),
});

describe('scopeFor', () => {
  it.each([
    [[request('tools/list')], { part: 'tools' }],
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
