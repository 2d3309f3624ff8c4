/**
 * tools/list with each tool's JSON Schemas computed once per isolate, not once per request. The SDK's own
 * handler converts every zod input and output schema on every tools/list, and stateless Streamable HTTP
 * builds a server per request, so nothing the SDK caches outlives the request: the conversion was about
 * half the CPU of a tools/list. Tools still register through the SDK, which still validates with the
 * same zod schemas; only the listing is answered here, with the SDK's own converter and options.
 */
import type { McpServer, RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import { type AnySchema, normalizeObjectSchema } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import { toJsonSchemaCompat } from '@modelcontextprotocol/sdk/server/zod-json-schema-compat.js';
import { ListToolsRequestSchema, type Tool, ToolExecutionSchema } from '@modelcontextprotocol/sdk/types.js';

type Io = 'input' | 'output';
type JsonSchema = Tool['inputSchema'];

/**
 * Keyed by what a tool module passed to registerTool (a module constant: a raw shape or a schema), the
 * zod object the SDK built from it the first time. Later servers reuse that object, so its JSON Schema
 * can be kept by identity; a schema built afresh per request is simply never reused.
 */
const canonical = new WeakMap<object, AnySchema>();
const converted: Record<Io, WeakMap<AnySchema, JsonSchema>> = { input: new WeakMap(), output: new WeakMap() };

function reuse(given: unknown, built: AnySchema | undefined): AnySchema | undefined {
  if (typeof given !== 'object' || given === null || !built) return built;
  const kept = canonical.get(given);
  if (kept) return kept;
  canonical.set(given, built);
  return built;
}

/** What the SDK's tools/list does with one schema (same converter, same options), memoised. */
function jsonSchema(schema: AnySchema | undefined, io: Io): JsonSchema | undefined {
  const object = normalizeObjectSchema(schema);
  if (!object) return undefined;
  let json = converted[io].get(object);
  if (!json) {
    json = toJsonSchemaCompat(object, { strictUnions: true, pipeStrategy: io }) as JsonSchema;
    converted[io].set(object, json);
  }
  return json;
}

/**
 * Call before registering tools on `server`, then call the returned function after: it answers tools/list
 * from the tools registered in between. The servers built here never rename or remove a tool.
 */
export function cacheToolList(server: McpServer): () => void {
  const registered = new Map<string, RegisteredTool>();
  // A tool module's config may say `execution` (task support, answered by src/tasks); registerTool drops it.
  const executions = new Map<string, Tool['execution']>();
  const register = server.registerTool.bind(server);
  server.registerTool = (name, config, callback) => {
    const tool = register(name, config, callback);
    const execution = 'execution' in config && ToolExecutionSchema.safeParse(config.execution);
    if (execution && execution.success) executions.set(name, execution.data);
    tool.inputSchema = reuse(config.inputSchema, tool.inputSchema);
    tool.outputSchema = reuse(config.outputSchema, tool.outputSchema);
    registered.set(name, tool);
    return tool;
  };
  return () => {
    server.server.setRequestHandler(ListToolsRequestSchema, () => ({
      tools: [...registered]
        .filter(([, tool]) => tool.enabled)
        .map(([name, tool]) => definition(name, tool, executions.get(name))),
    }));
  };
}

function definition(name: string, tool: RegisteredTool, execution = tool.execution): Tool {
  const outputSchema = jsonSchema(tool.outputSchema, 'output');
  return {
    name,
    title: tool.title,
    description: tool.description,
    inputSchema: jsonSchema(tool.inputSchema, 'input') ?? { type: 'object', properties: {} },
    annotations: tool.annotations,
    execution,
    _meta: tool._meta,
    ...(outputSchema && { outputSchema }),
  };
}
