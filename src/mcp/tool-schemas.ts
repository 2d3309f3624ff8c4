/**
 * Tool schemas built and converted to JSON Schema once per isolate, not once per request. Stateless serving
 * builds a server per request, and the SDK wraps a raw zod shape in a new z.object() and converts it to JSON
 * Schema on every tools/list (input and output) and every tools/call (output, and input for the Mcp-Param
 * header check): about half the CPU of a tools/list. Here each tool module's schema (a module constant) maps to
 * one z.object for the isolate, whose `~standard.jsonSchema` (the Standard Schema hook the SDK converts
 * through) remembers what it returned. Validation is untouched: the same zod schema parses every call.
 */
import type { McpServer, ToolExecution } from '@modelcontextprotocol/server';
import { z } from 'zod';

type JsonSchemaHook = (options: { target: string }) => Record<string, unknown>;

const canonical = new WeakMap<object, z.ZodType>();

function memoised(hook: JsonSchemaHook): JsonSchemaHook {
  const byTarget = new Map<string, Record<string, unknown>>();
  return (options) => {
    let json = byTarget.get(options.target);
    if (!json) {
      json = hook(options);
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
    jsonSchema: { input: memoised(standard.jsonSchema.input), output: memoised(standard.jsonSchema.output) },
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
