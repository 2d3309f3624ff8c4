/**
 * Tool schemas built and converted to JSON Schema once per isolate, not once per request. Stateless serving
 * builds a server per request, and the SDK wraps a raw zod shape in a new z.object() and converts it to JSON
 * Schema on every tools/list (input and output) and every tools/call (output, and input for the Mcp-Param
 * header check): about half the CPU of a tools/list. Here each tool module's schema (a module constant) maps to
 * one z.object for the isolate, whose `~standard.jsonSchema` (the Standard Schema hook the SDK converts
 * through) remembers what it returned. Validation is untouched: the same zod schema parses every call.
 */
import type { McpServer, ToolExecution } from '@modelcontextprotocol/server';
import * as z from 'zod';

type JsonSchemaHook = (options: { target: string }) => Record<string, unknown>;

const canonical = new WeakMap<object, z.ZodType>();

/** Keywords that say something about the value whatever its type: they stay beside an `anyOf` of types. */
const ANNOTATIONS = new Set(['description', 'title', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly']);

/**
 * The JSON Schema zod writes, in the subset every client reads, and without what says nothing:
 * - `type: ["string", "null"]` becomes `anyOf` of single types: some clients map tool schemas onto a
 *   single-`type` dialect (the OpenAPI subset of Gemini function declarations) and reject the array form.
 *   That is MCP Inspector's `type-union` rule (`--strict`, modelcontextprotocol/inspector PRs #2121, #2395);
 * - `additionalProperties: {}` (zod's loose objects) says nothing, and an empty schema is its `untyped-schema`
 *   finding;
 * - output schemas say what a result may hold, not what a client must check: they leave out `required` and
 *   `additionalProperties: false` (a client meeting a field it does not know should read on). A field that can
 *   be empty is still typed nullable. This halves their size, and every client pays for them in each session;
 * - zod's bounds of a safe integer (±2^53−1 on every `.int()`) and `propertyNames: {type: "string"}` (every
 *   JSON key is a string) constrain nothing;
 * - `$schema`: JSON Schema 2020-12 is MCP's default dialect when none is named (SEP-1613, since 2025-11-25).
 */
export function portableJsonSchema(node: unknown, io: 'input' | 'output'): unknown {
  if (Array.isArray(node)) return node.map((item) => portableJsonSchema(item, io));
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema') continue;
    if (key === 'minimum' && value === Number.MIN_SAFE_INTEGER) continue;
    if (key === 'maximum' && value === Number.MAX_SAFE_INTEGER) continue;
    if (key === 'propertyNames' && isStringType(value)) continue;
    if (key === 'additionalProperties' && (isEmpty(value) || value === true || (io === 'output' && value === false)))
      continue;
    if (key === 'required' && io === 'output') continue;
    // `properties` maps names to schemas: its keys are not keywords (a field may be called "default").
    out[key] =
      key === 'properties'
        ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, portableJsonSchema(v, io)]))
        : portableJsonSchema(value, io);
  }
  return Array.isArray(out.type) ? splitTypeUnion(out, out.type as string[]) : out;
}

/** `{type: [a, b], ...}` as `{anyOf: [{type: a, ...}, {type: b, ...}]}`, annotations kept outside. */
function splitTypeUnion(schema: Record<string, unknown>, types: string[]): Record<string, unknown> {
  const outer: Record<string, unknown> = {};
  const constraints: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'type') continue;
    (ANNOTATIONS.has(key) ? outer : constraints)[key] = value;
  }
  outer.anyOf = types.map((type) => (type === 'null' ? { type } : { type, ...constraints }));
  return outer;
}

const isEmpty = (value: unknown) =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
const isStringType = (value: unknown) =>
  typeof value === 'object' &&
  value !== null &&
  Object.keys(value).length === 1 &&
  'type' in value &&
  value.type === 'string';

function memoised(hook: JsonSchemaHook, io: 'input' | 'output'): JsonSchemaHook {
  const byTarget = new Map<string, Record<string, unknown>>();
  return (options) => {
    let json = byTarget.get(options.target);
    if (!json) {
      json = portableJsonSchema(hook(options), io) as Record<string, unknown>;
      byTarget.set(options.target, json);
    }
    return json;
  };
}

/** The one z.object (or schema) for `given` in this isolate, with its JSON Schema conversions remembered. */
export function schemaOnce(given: z.ZodType | z.ZodRawShape): z.ZodType {
  const kept = canonical.get(given);
  if (kept) return kept;
  const schema = given instanceof z.ZodType ? given : z.object(given);
  const standard = schema['~standard'] as z.ZodType['~standard'] & {
    jsonSchema: { input: JsonSchemaHook; output: JsonSchemaHook };
  };
  schema['~standard'] = {
    ...standard,
    jsonSchema: {
      input: memoised(standard.jsonSchema.input, 'input'),
      output: memoised(standard.jsonSchema.output, 'output'),
    },
  } as z.ZodType['~standard'];
  canonical.set(given, schema);
  return schema;
}

/**
 * Call before registering tools: every registerTool on `server` then uses the isolate's schemas, and a config
 * that says `execution` (task support, answered by src/tasks; registerTool has no such option) gets it listed.
 */
export function reuseToolSchemas(server: McpServer): void {
  const register = server.registerTool.bind(server) as (...args: unknown[]) => ReturnType<McpServer['registerTool']>;
  server.registerTool = ((name: string, config: Record<string, unknown>, callback: unknown) => {
    const { execution, inputSchema, outputSchema, ...rest } = config as {
      execution?: ToolExecution;
      inputSchema?: z.ZodType | z.ZodRawShape;
      outputSchema?: z.ZodType | z.ZodRawShape;
    };
    const tool = register(
      name,
      {
        ...rest,
        ...(inputSchema && { inputSchema: schemaOnce(inputSchema) }),
        ...(outputSchema && { outputSchema: schemaOnce(outputSchema) }),
      },
      callback,
    );
    if (execution) tool.execution = execution;
    return tool;
  }) as McpServer['registerTool'];
}
