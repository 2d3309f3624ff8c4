/**
 * Renders the server's own listings (tools, resources, resource templates, prompts) as the markdown of
 * docs/reference.md. Pure and deterministic: the same listings give the same bytes, so a snapshot of it
 * goes stale exactly when a definition changes.
 */

export interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
}

export interface ListedTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: JsonSchema;
  outputSchema?: JsonSchema;
  annotations?: Record<string, unknown>;
  execution?: Record<string, unknown>;
}

export interface ListedResource {
  uri?: string;
  uriTemplate?: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
}

export interface ListedPrompt {
  name: string;
  title?: string;
  description?: string;
  arguments?: Array<{ name: string; description?: string; required?: boolean }>;
}

export interface Listings {
  server: { name: string; version: string; instructions?: string | undefined };
  tools: ListedTool[];
  resources: ListedResource[];
  templates: ListedResource[];
  prompts: ListedPrompt[];
}

/** zod's bounds for a plain number; they say nothing to a reader. */
const SAFE = Number.MAX_SAFE_INTEGER;

const cell = (text: string) => text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
const code = (value: unknown) => `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;

function range(min: number | undefined, max: number | undefined, unit = ''): string {
  const lo = min !== undefined && min > -SAFE ? min : undefined;
  const hi = max !== undefined && max < SAFE ? max : undefined;
  if (lo !== undefined && hi !== undefined) return ` ${lo}–${hi}${unit}`;
  if (lo !== undefined) return ` ≥ ${lo}${unit}`;
  if (hi !== undefined) return ` ≤ ${hi}${unit}`;
  return '';
}

/** A compact type: `integer 1–20`, `string ≤ 64 chars`, `"png" \| "jpeg"`, `array of string`, `string \| null`. */
export function typeOf(schema: JsonSchema): string {
  if (schema.const !== undefined) return code(schema.const);
  if (schema.enum) return schema.enum.map(code).join(' | ');
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' | ');
  const types = Array.isArray(schema.type) ? schema.type : [schema.type ?? 'any'];
  return types
    .map((type) => {
      if (type === 'integer' || type === 'number') return type + range(schema.minimum, schema.maximum);
      if (type === 'string') return type + range(schema.minLength, schema.maxLength, ' chars');
      if (type === 'array') return `array of ${typeOf(schema.items ?? {})}${range(schema.minItems, schema.maxItems)}`;
      return type;
    })
    .join(' | ');
}

function argumentTable(schema: JsonSchema): string[] {
  const properties = Object.entries(schema.properties ?? {});
  if (properties.length === 0) return ['No arguments.', ''];
  const required = new Set(schema.required ?? []);
  const rows = properties.map(([name, p]) => {
    const fallback = p.default === undefined ? '' : code(p.default);
    return `| \`${name}\` | ${cell(typeOf(p))} | ${required.has(name) ? 'yes' : ''} | ${cell(fallback)} | ${cell(p.description ?? '')} |`;
  });
  return ['| argument | type | required | default | description |', '|---|---|---|---|---|', ...rows, ''];
}

/** The object inside a field, if it has named fields of its own (directly, in an array, or beside null). */
function nestedObject(schema: JsonSchema): JsonSchema | undefined {
  if (schema.properties) return schema;
  if (schema.items) return nestedObject(schema.items);
  for (const option of schema.anyOf ?? []) {
    const found = nestedObject(option);
    if (found) return found;
  }
  return undefined;
}

/**
 * Output fields with dotted paths (`jobs[].status`). An object shape already written out in full earlier in
 * the document is named instead of repeated (job views appear in most tools).
 */
function outputRows(schema: JsonSchema, prefix: string, seen: Map<string, string>, owner: string): string[] {
  const rows: string[] = [];
  for (const [name, p] of Object.entries(schema.properties ?? {})) {
    const path = `${prefix}${name}`;
    const inner = nestedObject(p);
    const key = inner && JSON.stringify(inner);
    const earlier = key ? seen.get(key) : undefined;
    const note = earlier ? ` Fields as in ${earlier}.` : '';
    rows.push(`| \`${path}\` | ${cell(typeOf(p))} | ${cell((p.description ?? '') + note).trim()} |`);
    if (inner && key && !earlier) {
      const within = `${path}${p.type === 'array' ? '[]' : ''}`;
      seen.set(key, `\`${owner}\` → \`${within}\``);
      rows.push(...outputRows(inner, `${within}.`, seen, owner));
    }
  }
  return rows;
}

function annotationLine(tool: ListedTool): string[] {
  const hints = Object.entries(tool.annotations ?? {})
    .filter(([key]) => key !== 'title')
    .map(([key, value]) => `\`${key}: ${String(value)}\``);
  const task = tool.execution?.taskSupport;
  if (task !== undefined) hints.push(`\`taskSupport: ${String(task)}\``);
  return hints.length > 0 ? [`Annotations: ${hints.join(', ')}.`, ''] : [];
}

function renderTool(tool: ListedTool, seen: Map<string, string>): string[] {
  const lines = [`### \`${tool.name}\``, ''];
  if (tool.title) lines.push(`**${tool.title}**`, '');
  if (tool.description) lines.push(tool.description, '');
  lines.push(...annotationLine(tool));
  lines.push('#### Arguments', '', ...argumentTable(tool.inputSchema));
  if (tool.outputSchema?.properties) {
    lines.push('#### Output (`structuredContent`)', '');
    lines.push('| field | type | description |', '|---|---|---|');
    lines.push(...outputRows(tool.outputSchema, '', seen, tool.name), '');
  }
  return lines;
}

function resourceTable(entries: ListedResource[], uriOf: (r: ListedResource) => string): string[] {
  if (entries.length === 0) return ['None.', ''];
  const rows = entries.map(
    (r) =>
      `| \`${cell(uriOf(r))}\` | \`${r.name}\` | ${cell(r.title ?? '')} | ${r.mimeType ?? ''} | ${cell(r.description ?? '')} |`,
  );
  return ['| URI | name | title | MIME type | description |', '|---|---|---|---|---|', ...rows, ''];
}

function renderPrompt(prompt: ListedPrompt): string[] {
  const lines = [`### \`${prompt.name}\``, ''];
  if (prompt.title) lines.push(`**${prompt.title}**`, '');
  if (prompt.description) lines.push(prompt.description, '');
  const args = prompt.arguments ?? [];
  if (args.length === 0) return [...lines, 'No arguments.', ''];
  const rows = args.map((a) => `| \`${a.name}\` | ${a.required ? 'yes' : ''} | ${cell(a.description ?? '')} |`);
  return [...lines, '| argument | required | description |', '|---|---|---|', ...rows, ''];
}

export function renderReference(listings: Listings): string {
  const { server, tools, resources, templates, prompts } = listings;
  const seen = new Map<string, string>();
  const lines = [
    '# Tools and resources reference',
    '',
    '<!-- Generated from the server’s own definitions by `npm run docs:reference`',
    '     (test/worker/reference.test.ts). Do not edit by hand: the test fails when this file is stale. -->',
    '',
    `Server \`${server.name}\` ${server.version}: ${tools.length} tools, ${resources.length} resources, ` +
      `${templates.length} resource templates, ${prompts.length} prompts, as \`tools/list\`, \`resources/list\`, ` +
      '`resources/templates/list` and `prompts/list` answer them. Types and limits are those of the JSON ' +
      'Schemas the server publishes; arguments outside them are refused before a tool runs.',
    '',
  ];
  if (server.instructions) lines.push('Instructions the server gives clients:', '', `> ${server.instructions}`, '');
  lines.push('## Tools', '');
  lines.push(...tools.map((t) => `- [\`${t.name}\`](#${t.name.replace(/[^a-z0-9_-]/gi, '').toLowerCase()})`), '');
  for (const tool of tools) lines.push(...renderTool(tool, seen));
  lines.push('## Resources', '');
  lines.push(
    'Listed by `resources/list` for a caller with no images or styles of their own; a caller’s images and ' +
      'saved styles are listed too, through the templates below.',
    '',
  );
  lines.push(...resourceTable(resources, (r) => r.uri ?? ''));
  lines.push('## Resource templates', '', ...resourceTable(templates, (r) => r.uriTemplate ?? ''));
  lines.push('## Prompts', '');
  if (prompts.length === 0) lines.push('None.', '');
  for (const prompt of prompts) lines.push(...renderPrompt(prompt));
  return `${lines.join('\n').trimEnd()}\n`;
}
