/** The bench's view of the server: MCP tool calls as a chat client sends them, and the /__bench routes. */
import type { CountersSnapshot } from './counters';

/** What a real MCP client sends; the server answers plain JSON unless progress was asked for. */
export const MCP_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };

/** The fields of a job view (see src/mcp/job-view.ts) that the bench reads. */
export interface JobView {
  job_id: string;
  status: string;
  created_at: string;
  completed_at: string | null;
  image_url?: string;
  content_type?: string;
}

export interface GenerateResult {
  job_ids: string[];
  jobs: JobView[];
}

export interface WaitResult {
  status: string;
  job_ids: string[];
  jobs: JobView[];
}

interface RpcReply {
  result?: { structuredContent?: unknown; isError?: boolean; content?: Array<{ text?: string }> };
  error?: { message: string };
}

export function rpcBody(method: string, params: unknown, id = 1): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method, params });
}

export class BenchClient {
  private nextId = 1;
  readonly url: string;

  // No parameter properties: node's type stripping runs this file as is.
  constructor(url: string) {
    this.url = url;
  }

  async rpc(method: string, params: unknown): Promise<NonNullable<RpcReply['result']>> {
    const response = await fetch(`${this.url}/mcp`, {
      method: 'POST',
      headers: MCP_HEADERS,
      body: rpcBody(method, params, this.nextId++),
    });
    const reply = await replyOf(response);
    if (!response.ok || reply.error || !reply.result) {
      throw new Error(`${method}: HTTP ${response.status} ${reply.error?.message ?? JSON.stringify(reply)}`);
    }
    return reply.result;
  }

  async callTool<T>(name: string, args: Record<string, unknown>): Promise<T> {
    const result = await this.rpc('tools/call', { name, arguments: args });
    if (result.isError) throw new Error(`${name}: ${result.content?.[0]?.text ?? 'tool error'}`);
    return result.structuredContent as T;
  }

  async counters(): Promise<CountersSnapshot> {
    return (await fetch(`${this.url}/__bench/counters`)).json() as Promise<CountersSnapshot>;
  }

  async reset(): Promise<CountersSnapshot> {
    return (await fetch(`${this.url}/__bench/reset`, { method: 'POST' })).json() as Promise<CountersSnapshot>;
  }

  async setVars(vars: Record<string, string>): Promise<void> {
    await fetch(`${this.url}/__bench/vars`, { method: 'POST', body: JSON.stringify(vars) });
  }

  /** A signed URL for a variant of image `id` (a PNG unless `contentType` says otherwise). */
  async variantUrl(id: string, params: Record<string, string | number>, contentType = 'image/png'): Promise<string> {
    const query = new URLSearchParams({ id, content_type: contentType });
    for (const [key, value] of Object.entries(params)) query.set(key, String(value));
    const response = await fetch(`${this.url}/__bench/variant-url?${query}`);
    if (!response.ok) throw new Error(`variant-url: HTTP ${response.status} ${await response.text()}`);
    return ((await response.json()) as { url: string }).url;
  }

  /** Deletes every stored variant of image `id`, so the next request for one computes it. */
  async forgetVariants(id: string): Promise<void> {
    await fetch(`${this.url}/__bench/forget-variants?id=${encodeURIComponent(id)}`, { method: 'POST' });
  }

  /** The image the bench build's fake AI binding answers with. */
  async setAiImage(bytes: Uint8Array<ArrayBuffer>): Promise<void> {
    const response = await fetch(`${this.url}/__bench/ai-image`, { method: 'POST', body: bytes });
    if (!response.ok) throw new Error(`ai-image: HTTP ${response.status}`);
  }

  /** Replaces finished job `id`'s original with `png`, of `side`² pixels, without the Worker decoding it. */
  async storeOriginal(id: string, png: Uint8Array<ArrayBuffer>, side: number): Promise<void> {
    const query = new URLSearchParams({ id, width: String(side), height: String(side) });
    const response = await fetch(`${this.url}/__bench/original?${query}`, { method: 'POST', body: png });
    if (!response.ok) throw new Error(`original: HTTP ${response.status} ${await response.text()}`);
  }

  /** Leaves `png` in the isolate for storeHeld (bench/worker.ts). */
  async hold(png: Uint8Array<ArrayBuffer>): Promise<void> {
    const response = await fetch(`${this.url}/__bench/hold`, { method: 'POST', body: png });
    if (!response.ok) throw new Error(`hold: HTTP ${response.status} ${await response.text()}`);
  }

  /** Puts the held bytes into R2, as a queue consumer ends: in one put, or `inParts` as a multipart upload. */
  async storeHeld(inParts = false): Promise<void> {
    const response = await fetch(`${this.url}/__bench/store-held${inParts ? '?parts' : ''}`, { method: 'POST' });
    if (!response.ok) throw new Error(`store-held: HTTP ${response.status} ${await response.text()}`);
  }

  async r2Keys(prefix: string): Promise<string[]> {
    const response = await fetch(`${this.url}/__bench/r2-keys?prefix=${encodeURIComponent(prefix)}`);
    return ((await response.json()) as { keys: string[] }).keys;
  }
}

/**
 * The JSON-RPC reply, sent either as JSON or, when the server streams notifications (progress, log messages)
 * before it, as the last `data:` line of an event stream, as the MCP client SDK reads it.
 */
async function replyOf(response: Response): Promise<RpcReply> {
  const text = await response.text();
  if (!response.headers.get('content-type')?.includes('text/event-stream')) return JSON.parse(text) as RpcReply;
  const data = text
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(5).trim());
  const last = data.at(-1);
  if (!last) throw new Error(`an event stream without a reply: ${text.slice(0, 200)}`);
  return JSON.parse(last) as RpcReply;
}
