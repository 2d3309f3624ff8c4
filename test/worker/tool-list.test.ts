import { env } from 'cloudflare:workers';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/cfworker';
import { McpServer } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRequestContext } from '../../src/calls/context';
import { loadConfig } from '../../src/config';
import { SERVER_INFO } from '../../src/identity';
import { createServer } from '../../src/mcp/server';
import { portableJsonSchema, schemaOnce } from '../../src/mcp/tool-schemas';
import { taskTools, tools } from '../../src/tools';

/** A (v1) client on an in-memory transport, validating as the server does (the Worker's bundle has no ajv). */
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

describe('tools/list, from schemas built and converted once per isolate', () => {
  it('lists exactly what the SDK lists for the same tools, on the first server and on later ones', async () => {
    const plain = new McpServer(SERVER_INFO);
    for (const register of tools) register(plain, context());
    // The intended differences: tools that take task-augmented calls say so (see src/tasks/protocol.ts), and
    // each schema is the portable, compact form of what zod writes (see portableJsonSchema).
    const expected = (await listTools(plain)).map((tool) => ({
      ...tool,
      inputSchema: portableJsonSchema(tool.inputSchema, 'input'),
      ...(tool.outputSchema && { outputSchema: portableJsonSchema(tool.outputSchema, 'output') }),
      ...(taskTools.has(tool.name) && { execution: { taskSupport: 'optional' as const } }),
    }));
    expect(await listTools(createServer(context(), { era: 'legacy' }))).toEqual(expected);
    expect(await listTools(createServer(context(), { era: 'legacy' }))).toEqual(expected);
  });

  it('gives one schema per module constant, whose JSON Schema is converted once', () => {
    const shape = { prompt: z.string() };
    const schema = schemaOnce(shape);
    expect(schemaOnce(shape)).toBe(schema);
    const convert = (schema['~standard'] as unknown as { jsonSchema: { input: (o: object) => unknown } }).jsonSchema;
    const first = convert.input({ target: 'draft-2020-12' });
    expect(convert.input({ target: 'draft-2020-12' })).toBe(first);
    expect(first).toMatchObject({ type: 'object', properties: { prompt: { type: 'string' } } });
    expect(schema.safeParse({ prompt: 3 }).success).toBe(false);
  });

  it('writes schemas in the portable subset: single types, no empty or boundless keywords', () => {
    const zodJson = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: {
        note: { type: ['string', 'null'], maxLength: 9, description: 'kept outside' },
        count: { type: 'integer', minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER },
        small: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
        tags: { type: 'object', propertyNames: { type: 'string' }, additionalProperties: { type: 'string' } },
        loose: { type: 'object', properties: { default: { type: 'string' } }, additionalProperties: {} },
      },
      required: ['note'],
      additionalProperties: false,
    };
    const properties = {
      note: { description: 'kept outside', anyOf: [{ type: 'string', maxLength: 9 }, { type: 'null' }] },
      count: { type: 'integer' },
      small: { type: 'integer', minimum: 0 },
      tags: { type: 'object', additionalProperties: { type: 'string' } },
      loose: { type: 'object', properties: { default: { type: 'string' } } },
    };
    expect(portableJsonSchema(zodJson, 'input')).toEqual({
      type: 'object',
      properties,
      required: ['note'],
      additionalProperties: false,
    });
    // An output schema says what a result may hold: no `required`, and fields it does not name are allowed.
    expect(portableJsonSchema(zodJson, 'output')).toEqual({ type: 'object', properties });
  });
});
