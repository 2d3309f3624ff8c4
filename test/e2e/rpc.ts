/** Plain fetch JSON-RPC against the running server, with the result shapes the tools declare. */
import { inject } from 'vitest';
import { TOKENS } from '../helpers/tokens';

/** The fields of a job as the tools report it (see JobViewSchema) that these tests read. */
export interface JobView {
  job_id: string;
  status: string;
  attempts: number;
  image_url?: string;
}

export interface Structured {
  status?: string;
  job_ids?: string[];
  jobs?: JobView[];
  generations?: JobView[];
  attempts?: number;
}

let nextId = 1;

export function postMcp(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${inject('baseUrl')}/mcp`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKENS.alice}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export async function callTool(
  name: string,
  args: Record<string, unknown>,
): Promise<{ structuredContent: Structured; isError?: boolean; response: Response }> {
  const response = await postMcp({
    jsonrpc: '2.0',
    id: nextId++,
    method: 'tools/call',
    params: { name, arguments: args },
  });
  const reply = (await response.json()) as { result: { structuredContent: Structured; isError?: boolean } };
  return { ...reply.result, response };
}
