/** The one MCP server factory: a fresh server per request (Streamable HTTP) or per stream (legacy SSE). */
import { type CacheHint, type JSONRPCMessage, type ListToolsResult, McpServer } from '@modelcontextprotocol/server';
import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/server/validators/cf-worker';
import { APPS_EXTENSION, MCP_APP_MIME_TYPE } from '../apps/gallery';
import type { RequestContext } from '../calls/context';
import { type Era, setEra } from '../calls/era';
import { enableLogging } from '../calls/logging';
import type { Config } from '../config';
import { SERVER_INFO } from '../identity';
import { prompts } from '../prompts';
import { registerAppResources } from '../resources/apps';
import { registerImageResources } from '../resources/images';
import { registerStyleResources } from '../resources/styles';
import { enableTaskExtension } from '../tasks/extension';
import { enableTasks } from '../tasks/protocol';
import { taskTools, toolsByName, WRITE_TOOLS } from '../tools';
import { reuseToolSchemas } from './tool-schemas';

/**
 * What a server must be able to answer. A stateless POST carries one request, so its server need not build
 * the rest: a tools/call registers only the tool called, tools/list no prompts or resources (and, once the
 * isolate has listed them, no tools either: see `listTools`), and so on. Anything else (initialize, batches,
 * tasks, completions, a stream's server) gets everything.
 */
export type ServerScope =
  | { part: 'all' }
  | { part: 'tool-list' }
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
      return { part: 'tool-list' };
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

/**
 * 2026-07-28 caching hints (SEP-2549). What every caller sees alike (the tool, prompt and template lists, and
 * discovery) may sit in shared caches for a while; what depends on the caller (their images and styles) is
 * private and fetched fresh.
 */
const SHARED: CacheHint = { ttlMs: 5 * 60_000, cacheScope: 'public' };
const PER_CALLER: CacheHint = { ttlMs: 0, cacheScope: 'private' };
const CACHE_HINTS = {
  'server/discover': SHARED,
  'tools/list': SHARED,
  'prompts/list': SHARED,
  'resources/templates/list': SHARED,
  'resources/list': PER_CALLER,
  'resources/read': PER_CALLER,
};

/**
 * Nothing here ever sends list_changed: the lists are fixed per deployment (a caller's images and styles are
 * read fresh, never announced), so the capabilities say so instead of the SDK's default `listChanged: true`.
 */
const CAPABILITIES = {
  tools: { listChanged: false },
  resources: { listChanged: false },
  prompts: { listChanged: false },
};

export interface ServerOptions {
  /** The protocol era the instance serves: 2025 (initialize, tasks in core) or 2026-07-28 (per request). */
  era: Era;
  scope?: ServerScope;
}

export function createServer(ctx: RequestContext, { era, scope = ALL }: ServerOptions): McpServer {
  const server = new McpServer(SERVER_INFO, {
    // The SDK picks this validator on workerd by itself; named here so that no build can fall back to AJV,
    // whose code generation workerd forbids.
    jsonSchemaValidator: new CfWorkerJsonSchemaValidator(),
    cacheHints: CACHE_HINTS,
    // Multi-round-trip state is sealed by this server; the SDK refuses any that fails this check.
    requestState: { verify: (state, extra) => ctx.requestStates.verify(state, extra) },
    instructions:
      'Generates images from text prompts. For one image, call generate_image_and_wait and show the returned ' +
      'markdown image to the user. For long or many images, call generate_image, then wait_for_completion.',
  });
  setEra(server, era);
  // Declared after construction: declared in the options, McpServer would install its tools/call handler at
  // once, before src/tasks can wrap it.
  server.server.registerCapabilities(CAPABILITIES);
  // READ_ONLY: nothing that makes, changes or deletes is offered; a call of such a tool is an unknown tool.
  const offered = (name: string) => !ctx.config.readOnly || !WRITE_TOOLS.has(name);
  const tasks = new Map([...taskTools].filter(([name]) => offered(name)));
  if (era === 'legacy') enableTasks(server, ctx, tasks);
  else {
    enableTaskExtension(server, ctx, tasks);
    server.server.registerCapabilities({ extensions: { [APPS_EXTENSION]: { mimeTypes: [MCP_APP_MIME_TYPE] } } });
  }
  const wants = (part: ServerScope['part']) => scope.part === 'all' || scope.part === part;
  if (scope.part === 'tool-list') listTools(server, ctx, era, offered);
  else if (wants('tools')) {
    // A call of a tool not offered gets the others, so the SDK answers it as an unknown tool (-32602).
    const called = scope.part === 'tools' && scope.tool && offered(scope.tool) ? [scope.tool] : undefined;
    registerTools(server, ctx, called ?? [...toolsByName.keys()].filter(offered));
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

function registerTools(server: McpServer, ctx: RequestContext, names: readonly string[]): void {
  reuseToolSchemas(server);
  for (const name of names) toolsByName.get(name)!(server, ctx);
}

/**
 * The tools/list result depends only on the configuration (READ_ONLY) and the era, never on the caller. The
 * first tools/list of an isolate registers every tool and keeps a copy of what the SDK's own handler lists; after
 * that a tools/list server registers nothing and answers with that copy (frozen: shared by every request). The
 * SDK still parses the request, applies cache hints and era encoding, and serialises the reply. It halves the
 * CPU of a tools/list (issue #16; the tools' registration was the half).
 */
const listings = new WeakMap<Config, Map<Era, ListToolsResult>>();

function listTools(server: McpServer, ctx: RequestContext, era: Era, offered: (name: string) => boolean): void {
  const { config } = ctx;
  let byEra = listings.get(config);
  if (!byEra) {
    byEra = new Map();
    listings.set(config, byEra);
  }
  const kept = byEra.get(era);
  if (kept) {
    server.server.setRequestHandler('tools/list', () => kept);
    return;
  }
  type Handler = (...args: unknown[]) => unknown;
  const protocol = server.server;
  const setHandler = protocol.setRequestHandler.bind(protocol) as (method: string, handler: Handler) => void;
  (protocol as { setRequestHandler: typeof setHandler }).setRequestHandler = (method, handler) =>
    setHandler(
      method,
      method === 'tools/list'
        ? async (...args) => {
            const listed = (await handler(...args)) as ListToolsResult;
            // A copy: the listed objects are the tools' own module constants, used by tools/call too.
            byEra.set(era, deepFreeze(structuredClone(listed)));
            return listed;
          }
        : handler,
    );
  registerTools(server, ctx, [...toolsByName.keys()].filter(offered));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
