/** The one MCP server factory: a fresh server per request (Streamable HTTP) or per stream (legacy SSE). */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/cfworker';
import { prompts } from '../prompts';
import { registerAppResources } from '../resources/apps';
import { registerImageResources } from '../resources/images';
import { registerStyleResources } from '../resources/styles';
import { enableTasks, TASKS_CAPABILITY } from '../tasks/protocol';
import { D1TaskStore } from '../tasks/sdk-store';
import { taskTools, tools } from '../tools';
import type { RequestContext } from './context';
import { enableLogging } from './logging';
import { cacheToolList } from './tool-list';

export const SERVER_INFO = { name: 'imagegen-mcp', title: 'Image generation', version: '0.1.0' };

export function createServer(ctx: RequestContext): McpServer {
  const taskStore = new D1TaskStore(ctx);
  const server = new McpServer(SERVER_INFO, {
    // AJV compiles validators with `new Function`, which workerd forbids.
    jsonSchemaValidator: new CfWorkerJsonSchemaValidator(),
    capabilities: { tasks: TASKS_CAPABILITY },
    taskStore,
    instructions:
      'Generates images from text prompts. For one image, call generate_image_and_wait and show the returned ' +
      'markdown image to the user. For long or many images, call generate_image, then wait_for_completion.',
  });
  enableTasks(server, ctx, taskStore, taskTools);
  const listTools = cacheToolList(server);
  for (const register of tools) register(server, ctx);
  listTools();
  registerImageResources(server, ctx);
  registerAppResources(server, ctx);
  registerStyleResources(server, ctx);
  for (const register of prompts) register(server, ctx);
  enableLogging(server);
  return server;
}
