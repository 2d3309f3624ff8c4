/** The one MCP server factory: a fresh server per request (Streamable HTTP) or per stream (legacy SSE). */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/cfworker';
import { prompts } from '../prompts';
import { registerAppResources } from '../resources/apps';
import { registerImageResources } from '../resources/images';
import { registerStyleResources } from '../resources/styles';
import { enableTasks, TASKS_CAPABILITY } from '../tasks/protocol';
import { D1TaskStore } from '../tasks/sdk-store';
import { taskTools, tools, toolsByName } from '../tools';
import type { RequestContext } from './context';
import { enableLogging } from './logging';
import { cacheToolList } from './tool-list';

export const SERVER_INFO = { name: 'imagegen-mcp', title: 'Image generation', version: '0.1.0' };

/**
 * What a server must be able to answer. A stateless POST carries one request, so its server need not build
 * the rest: a tools/call registers only the tool called, tools/list no prompts or resources, and so on.
 * Anything else (initialize, batches, tasks, completions, a stream's server) gets everything.
 */
export type ServerScope =
  | { part: 'all' }
  | { part: 'tools'; tool?: string | undefined }
  | { part: 'resources' }
  | { part: 'prompts' };

const ALL: ServerScope = { part: 'all' };

export function scopeFor(messages: readonly JSONRPCMessage[]): ServerScope {
  const [message] = messages;
  if (messages.length !== 1 || !message || !('method' in message) || !('id' in message)) return ALL;
  const params = message.params as { name?: unknown; task?: unknown } | undefined;
  switch (message.method) {
    case 'tools/list':
      return { part: 'tools' };
    case 'tools/call':
      if (params?.task !== undefined) return ALL;
      return typeof params?.name === 'string' && toolsByName.has(params.name)
        ? { part: 'tools', tool: params.name }
        : { part: 'tools' };
    case 'resources/list':
    case 'resources/read':
    case 'resources/templates/list':
      return { part: 'resources' };
    case 'prompts/list':
    case 'prompts/get':
      return { part: 'prompts' };
    default:
      return ALL;
  }
}

export function createServer(ctx: RequestContext, scope: ServerScope = ALL): McpServer {
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
  const wants = (part: ServerScope['part']) => scope.part === 'all' || scope.part === part;
  if (wants('tools')) {
    const listTools = cacheToolList(server);
    const only = scope.part === 'tools' && scope.tool ? toolsByName.get(scope.tool) : undefined;
    for (const register of only ? [only] : tools) register(server, ctx);
    listTools();
  }
  if (wants('resources')) {
    registerImageResources(server, ctx);
    registerAppResources(server, ctx);
    registerStyleResources(server, ctx);
  }
  if (wants('prompts')) for (const register of prompts) register(server, ctx);
  enableLogging(server);
  return server;
}
