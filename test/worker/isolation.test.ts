/**
 * Tenant isolation, table-driven: every tool, resource and authenticated route × {no token, wrong token,
 * another subject's token, the owner's token}, each subject's token being either its configured one or an
 * OAuth access token got by signing in with it. Only the owner reaches the owner's things, and another
 * subject's id answers exactly like a missing one. A tool added without a row here fails the first test.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { callTool, ORIGIN, request, rpc, rpcRaw, TOKENS } from '../helpers/mcp';
import { signIn } from '../helpers/oauth';
import { TOOL_NAMES } from '../helpers/tool-names';

const MISSING = '00000000-0000-0000-0000-000000000000';
const WRONG = 'tok-nobody-0123456789abcdef';

/** Alice's finished image, shared by every row. */
let owned: string;

/** How a subject's calls are authenticated: its configured token, or an OAuth grant it signed in for. */
const CREDENTIALS = ['configured token', 'OAuth token'] as const;
type Credential = (typeof CREDENTIALS)[number];
type Subject = 'alice' | 'bob';
type Resource = '/mcp' | '/sse';

/** OAuth access tokens by subject and resource, from signing in on the consent page with the configured token. */
const oauthTokens = new Map<string, string>();

function tokenOf(subject: Subject, credential: Credential, resource: Resource = '/mcp'): string {
  if (credential === 'configured token') return TOKENS[subject];
  return oauthTokens.get(`${subject} ${resource}`)!;
}

/** Every row of `cases` once per credential. */
function perCredential<T>(cases: ReadonlyArray<readonly [string, T]>) {
  return cases.flatMap(([name, c]) => CREDENTIALS.map((credential) => [name, credential, c] as const));
}

type ToolCase =
  /** Names one of alice's things: bob's answer must equal his answer for a missing id. */
  | { kind: 'owned'; args: (id: string) => Record<string, unknown> }
  /** Lists or acts on the caller's own things: bob succeeds, and alice's id is nowhere in his answer. */
  | { kind: 'own'; args: () => Record<string, unknown> };

const TOOL_CASES: Record<string, ToolCase> = {
  generate_image: { kind: 'own', args: () => ({ prompt: 'isolation', provider: 'placeholder' }) },
  generate_image_and_wait: { kind: 'own', args: () => ({ prompt: 'isolation', provider: 'placeholder' }) },
  get_job_status: { kind: 'owned', args: (id) => ({ job_id: id }) },
  wait_for_completion: { kind: 'owned', args: (id) => ({ job_id: id, timeout_seconds: 1 }) },
  list_generations: { kind: 'own', args: () => ({ limit: 50 }) },
  list_jobs: { kind: 'own', args: () => ({ limit: 50 }) },
  list_providers: { kind: 'own', args: () => ({}) },
  show_image: { kind: 'owned', args: (id) => ({ image_id: id, max_side: 64 }) },
  transform_image: { kind: 'owned', args: (id) => ({ image_id: id, width: 32, format: 'jpeg' }) },
  edit_image: {
    kind: 'owned',
    args: (id) => ({ images: [id], prompt: 'make it blue', provider: 'placeholder', timeout_seconds: 30 }),
  },
  gallery_link: { kind: 'own', args: () => ({}) },
  save_style: { kind: 'own', args: () => ({ name: 'isolation', prefix: 'bold ' }) },
  list_styles: { kind: 'own', args: () => ({ limit: 50 }) },
  get_server_info: { kind: 'own', args: () => ({}) },
  get_usage: { kind: 'own', args: () => ({}) },
  // Alice keeps a style named like her image (see aliceStyle), so the id masking below covers styles too.
  delete_style: { kind: 'owned', args: (id) => ({ name: id }) },
  // Last, on purpose: run against a throwaway image (see below), never the shared one.
  delete_image: { kind: 'owned', args: (id) => ({ image_id: id }) },
};

const RESOURCES: Array<{ uri: (id: string) => string; kind: 'owned' | 'own' }> = [
  { uri: () => 'image://list', kind: 'own' },
  { uri: (id) => `image://${id}`, kind: 'owned' },
  { uri: (id) => `image://${id}/metadata`, kind: 'owned' },
  { uri: (id) => `image://${id}/view?width=16&format=jpeg`, kind: 'owned' },
  { uri: (id) => `style://${id}`, kind: 'owned' },
];

async function aliceImage(prompt: string): Promise<string> {
  const made = await callTool<{ jobs: Array<{ job_id: string; status: string }> }>('generate_image_and_wait', {
    prompt,
    provider: 'placeholder',
    width: 64,
    height: 64,
  });
  expect(made.structured.jobs[0]!.status).toBe('completed');
  return made.structured.jobs[0]!.job_id;
}

/** Alice's style named like her shared image; saving again is harmless (it replaces it). */
async function aliceStyle(name: string): Promise<void> {
  const saved = await callTool('save_style', { name, prefix: 'owned ' });
  expect(saved.isError).toBeFalsy();
}

/** What the owner's row acts on: a throwaway for the tools that delete, else the shared image. */
async function ownerTarget(name: string): Promise<string> {
  if (name === 'delete_image') return aliceImage('to delete');
  if (name !== 'delete_style') return owned;
  const style = crypto.randomUUID();
  await aliceStyle(style);
  return style;
}

/** A tool answer with the id masked, so answers about two different ids can be compared. */
const masked = (value: unknown, id: string) => JSON.stringify(value).replaceAll(id, 'ID');

beforeAll(async () => {
  owned = await aliceImage('owned by alice');
  await aliceStyle(owned);
  for (const subject of ['alice', 'bob'] as const) {
    for (const resource of ['/mcp', '/sse'] as const) {
      const { access_token } = await signIn(TOKENS[subject], `${ORIGIN}${resource}`);
      oauthTokens.set(`${subject} ${resource}`, access_token);
    }
  }
});

describe('isolation of tools', () => {
  it('has a row for every tool', () => {
    expect(Object.keys(TOOL_CASES).sort()).toEqual([...TOOL_NAMES].sort());
  });

  it.each(Object.entries(TOOL_CASES))('%s: refused without a token or with a wrong one', async (name, c) => {
    const params = { name, arguments: c.kind === 'owned' ? c.args(owned) : c.args() };
    for (const token of [null, WRONG]) {
      const response = await rpcRaw({ jsonrpc: '2.0', id: 1, method: 'tools/call', params }, { token });
      expect(response.status, `${name} with ${token}`).toBe(401);
      expect(await response.text()).not.toContain(owned);
    }
  });

  const rows = perCredential(Object.entries(TOOL_CASES));

  it.each(rows)('%s, %s: another subject cannot reach the owner’s things', async (name, credential, c) => {
    const token = tokenOf('bob', credential);
    const target = name === 'delete_image' ? await aliceImage('to keep') : owned;
    if (c.kind === 'owned') {
      const foreign = await callTool(name, c.args(target), { token });
      const missing = await callTool(name, c.args(MISSING), { token });
      expect(foreign.isError, name).toBe(true);
      expect(masked(foreign.content, target)).toBe(masked(missing.content, MISSING));
    } else {
      const result = await callTool(name, c.args(), { token });
      expect(result.isError, name).toBeFalsy();
      expect(JSON.stringify(result)).not.toContain(target);
    }
    // The owner still reaches it, whatever bob tried.
    expect((await callTool('get_job_status', { job_id: target })).structured).toMatchObject({ status: 'completed' });
  });

  it.each(rows)('%s, %s: the owner succeeds', async (name, credential, c) => {
    const target = await ownerTarget(name);
    const result = await callTool(name, c.kind === 'owned' ? c.args(target) : c.args(), {
      token: tokenOf('alice', credential),
    });
    expect(result.isError, `${name}: ${JSON.stringify(result.content)}`).toBeFalsy();
  });
});

describe('isolation of resources', () => {
  it.each(perCredential(RESOURCES.map((r) => [r.uri('{id}'), r] as const)))(
    '%s, %s',
    async (_, credential, resource) => {
      const uri = resource.uri(owned);
      for (const token of [null, WRONG]) {
        const response = await rpcRaw({ jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri } }, { token });
        expect(response.status).toBe(401);
      }
      const bob = { token: tokenOf('bob', credential) };
      const foreign = await rpc('resources/read', { uri }, bob);
      if (resource.kind === 'owned') {
        const missing = await rpc('resources/read', { uri: resource.uri(MISSING) }, bob);
        expect(foreign.error?.code).toBe(-32602);
        expect(foreign.error?.data).toEqual({ uri });
        expect(masked(foreign.error, owned)).toBe(masked(missing.error, MISSING));
      } else {
        expect(foreign.error).toBeUndefined();
        expect(JSON.stringify(foreign)).not.toContain(owned);
      }
      const mine = await rpc('resources/read', { uri }, { token: tokenOf('alice', credential) });
      expect(mine.error).toBeUndefined();
      expect(JSON.stringify(mine.result)).toContain(resource.kind === 'owned' ? uri : owned);
    },
  );

  it.each(CREDENTIALS)('lists only the caller’s images, %s', async (credential) => {
    const bobs = await rpc('resources/list', undefined, { token: tokenOf('bob', credential) });
    expect(JSON.stringify(bobs)).not.toContain(owned);
    const alices = await rpc('resources/list', undefined, { token: tokenOf('alice', credential) });
    expect(JSON.stringify(alices)).toContain(owned);
  });
});

describe('isolation of routes', () => {
  it.each([
    ['POST /mcp', '/mcp', 'POST'],
    ['GET /sse', '/sse', 'GET'],
    ['POST /sse (Streamable HTTP alias)', '/sse', 'POST'],
    ['POST /sse/message', `/sse/message?sessionId=${MISSING}`, 'POST'],
  ])('%s needs a valid token', async (_, path, method) => {
    const init = {
      method,
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      ...(method === 'POST' && { body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) }),
    };
    for (const token of [null, WRONG]) expect((await request(path, { ...init, token })).status).toBe(401);
  });

  it.each(CREDENTIALS)(
    'another subject cannot post into the owner’s SSE session, %s: it answers like an unknown session',
    async (credential) => {
      const [alice, bob] = [tokenOf('alice', credential, '/sse'), tokenOf('bob', credential, '/sse')];
      const stream = await request('/sse', { token: alice, headers: { accept: 'text/event-stream' } });
      const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      while (!text.includes('\n\n')) text += (await reader.read()).value ?? '';
      const endpoint = /data: (\S+)/.exec(text)![1]!;
      const post = (path: string, token: string) =>
        request(path, {
          method: 'POST',
          token,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
        });
      const foreign = await post(endpoint, bob);
      const unknown = await post(`/sse/message?sessionId=${MISSING}`, bob);
      expect(foreign.status).toBe(404);
      expect(await foreign.text()).toBe(await unknown.text());
      expect((await post(endpoint, alice)).status).toBe(202);
      await reader.cancel();
    },
  );
});
