import { env } from 'cloudflare:workers';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/cfworker';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { createRequestContext } from '../../src/mcp/context';
import { createServer, SERVER_INFO } from '../../src/mcp/server';
import { taskTools, tools } from '../../src/tools';

/** A client on an in-memory transport, validating as the server does (the Worker's bundle has no ajv). */
async function listTools(server: McpServer) {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'test', version: '1' }, { jsonSchemaValidator: new CfWorkerJsonSchemaValidator() });
  await client.connect(clientSide);
  const { tools: listed } = await client.listTools();
  await client.close();
  return listed;
}

const context = () => createRequestContext(env, loadConfig(env), 'alice', 'http://localhost/mcp');

describe('tools/list, answered from schemas converted once per isolate', () => {
  it('lists exactly what the SDK’s own handler lists, on the first server and on later ones', async () => {
    const plain = new McpServer(SERVER_INFO, { jsonSchemaValidator: new CfWorkerJsonSchemaValidator() });
    for (const register of tools) register(plain, context());
    // The one intended difference: tools that take task-augmented calls say so (see src/tasks/protocol.ts).
    const expected = (await listTools(plain)).map((tool) =>
      tool.name in taskTools ? { ...tool, execution: { taskSupport: 'optional' as const } } : tool,
    );
    expect(await listTools(createServer(context()))).toEqual(expected);
    expect(await listTools(createServer(context()))).toEqual(expected);
  });
});
