/**
 * Stands in for `ajv` and `ajv-formats` in the bundle (see `alias` in wrangler.jsonc). The MCP SDK imports
 * them for its default JSON Schema validator; this server passes CfWorkerJsonSchemaValidator instead
 * (ajv compiles validators with `new Function`, which workerd forbids), so they would only cost bundle
 * size and start-up time. Anything that does reach for ajv fails loudly here.
 */
export default function ajvIsNotBundled(): never {
  throw new Error('ajv is not bundled in this Worker: pass jsonSchemaValidator: new CfWorkerJsonSchemaValidator()');
}
