/**
 * docs/reference.md is generated from what the server lists, and this test fails when it is stale.
 * Regenerate it with `npm run docs:reference` after changing a tool, resource or prompt.
 */
import { env } from 'cloudflare:workers';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/cfworker';
import { expect, it } from 'vitest';
import { createRequestContext } from '../../src/calls/context';
import { loadConfig } from '../../src/config';
import { createServer } from '../../src/mcp/server';
import { type Listings, renderReference } from '../helpers/reference-markdown';

/**
 * The server every transport builds, for a subject that owns nothing: resources/list then shows what the
 * server defines, not images or styles other tests left behind.
 */
async function listEverything(): Promise<Listings> {
  const ctx = createRequestContext(env, loadConfig(env), 'reference-reader', 'https://imagegen.example/mcp');
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await createServer(ctx, { era: 'legacy' }).connect(serverSide);
  const client = new Client(
    { name: 'reference', version: '1' },
    { jsonSchemaValidator: new CfWorkerJsonSchemaValidator() },
  );
  await client.connect(clientSide);
  try {
    const info = client.getServerVersion();
    return {
      server: { name: info?.name ?? '', version: info?.version ?? '', instructions: client.getInstructions() },
      tools: (await client.listTools()).tools as Listings['tools'],
      resources: (await client.listResources()).resources,
      templates: (await client.listResourceTemplates()).resourceTemplates,
      prompts: client.getServerCapabilities()?.prompts ? (await client.listPrompts()).prompts : [],
    };
  } finally {
    await client.close();
  }
}

it('docs/reference.md matches the tools, resources and prompts the server lists', async () => {
  const markdown = renderReference(await listEverything());
  await expect(markdown).toMatchFileSnapshot('../../docs/reference.md');
});
