/**
 * Abuse limits: the per-subject request rate limit (the real Rate Limiting binding, simulated locally) and
 * the daily image quota, each answered with a clear error that says when to retry.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { loadConfig, RATE_LIMIT } from '../../src/config';
import { app } from '../../src/http/app';
import { pruneUsage, reserveImages } from '../../src/jobs/quota';
import { parseSse } from '../helpers/mcp';
import { TOKENS } from '../helpers/tokens';

/** The Worker's fetch with some settings changed, as an operator would set them. */
async function fetchWith(
  vars: Record<string, string>,
  init: { token: string; body: unknown; headers?: Record<string, string> },
): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await app.fetch(
    new Request('http://localhost/mcp', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${init.token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...init.headers,
      },
      body: JSON.stringify(init.body),
    }),
    { ...env, ...vars },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return response;
}

const toolsList = { jsonrpc: '2.0', id: 1, method: 'tools/list' };

/** The JSON-RPC reply, whether it came as JSON or as the last event of a stream. */
async function replyOf<T>(response: Response): Promise<T> {
  if (!response.headers.get('content-type')?.includes('text/event-stream')) return (await response.json()) as T;
  return JSON.parse(parseSse(await response.text()).at(-1)!.data) as T;
}

describe('rate limit', () => {
  it('is on by default when several subjects share the server, and off for a single token', () => {
    const several = loadConfig({
      AUTH_TOKENS: JSON.stringify({ a: 'token-a-0123456789abcdef', b: 'token-b-0123456789abcdef' }),
    });
    expect(several.rateLimit).toBe(true);
    expect(loadConfig({ AUTH_TOKEN: 'token-0123456789abcdef' }).rateLimit).toBe(false);
    expect(loadConfig({ AUTH_TOKEN: 'token-0123456789abcdef', RATE_LIMIT: 'on' }).rateLimit).toBe(true);
    expect(loadConfig({ ALLOW_ANONYMOUS: 'true' }).rateLimit).toBe(true);
    expect(
      loadConfig({
        AUTH_TOKENS: JSON.stringify({ a: 'token-a-0123456789abcdef', b: 'token-b-0123456789abcdef' }),
        RATE_LIMIT: 'off',
      }).rateLimit,
    ).toBe(false);
  });

  it('answers 429 with Retry-After once a subject has spent its requests, and leaves other subjects alone', async () => {
    const on = { RATE_LIMIT: 'on' };
    // Spend the requests cheaply: an invalid message is counted, then refused at once.
    await freshWindow();
    const cheap = { jsonrpc: '2.0' };
    let refused: Response | undefined;
    let served = 0;
    for (let i = 0; i < RATE_LIMIT.requests + 5 && !refused; i++) {
      const response = await fetchWith(on, { token: TOKENS.carol, body: cheap });
      if (response.status === 429) refused = response;
      else {
        expect(response.status).toBe(400);
        await response.arrayBuffer();
        served++;
      }
    }
    expect(served).toBe(RATE_LIMIT.requests);
    expect(refused?.headers.get('retry-after')).toBe(String(RATE_LIMIT.periodSeconds));
    const body = (await refused!.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(
      /300 requests per 60 seconds \(each message of a batch counts\)\. Retry in 60 seconds/,
    );

    const other = await fetchWith(on, { token: TOKENS.bob, body: toolsList });
    expect(other.status).toBe(200);
    // With the limit off, the same subject is served again at once.
    expect((await fetchWith({ RATE_LIMIT: 'off' }, { token: TOKENS.carol, body: toolsList })).status).toBe(200);
  });
});

/**
 * The binding counts in windows aligned to the wall clock (so does its local simulation): start in one with
 * time to spare.
 */
async function freshWindow(): Promise<void> {
  const left = RATE_LIMIT.periodSeconds * 1000 - (Date.now() % (RATE_LIMIT.periodSeconds * 1000));
  if (left < 15_000) await new Promise((r) => setTimeout(r, left + 50));
}

describe('JSON-RPC batches', () => {
  // A subject of its own, so that the requests it spends are counted from zero.
  const token = 'tok-batcher-0123456789abcdef';
  const vars = { RATE_LIMIT: 'on', AUTH_TOKENS: JSON.stringify({ batcher: token, alice: TOKENS.alice }) };
  const pings = (n: number) => Array.from({ length: n }, (_, i) => ({ jsonrpc: '2.0', id: i + 1, method: 'ping' }));

  it('spends one request per message, and refuses a whole batch the limit cannot cover', async () => {
    await freshWindow();
    for (const size of [100, 100, 50]) {
      const served = await fetchWith(vars, { token, body: pings(size) });
      expect(served.status).toBe(200);
      expect((await replyOf<unknown[]>(served)).length).toBe(size);
    }
    // 250 spent: a batch of 100 more would pass 300, so none of it runs.
    const refused = await fetchWith(vars, { token, body: pings(100) });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(
      /each message of a batch counts/,
    );
    // The refused batch spent what was left: even a single request now waits for the next window.
    expect((await fetchWith(vars, { token, body: pings(1)[0] })).status).toBe(429);
  });

  it('are refused with -32600 from clients of protocol 2025-06-18 and later, which have none', async () => {
    for (const version of ['2025-06-18', '2025-11-25', '2026-07-28']) {
      const response = await fetchWith(
        { RATE_LIMIT: 'off' },
        { token: TOKENS.alice, body: pings(2), headers: { 'mcp-protocol-version': version } },
      );
      expect(response.status).toBe(400);
      const body = (await response.json()) as { id: unknown; error: { code: number; message: string } };
      expect(body).toMatchObject({ id: null, error: { code: -32600 } });
      expect(body.error.message).toContain(`removed in protocol 2025-06-18 (this request speaks ${version})`);
    }
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'batcher', version: '1' } },
    };
    const fromInitialize = await fetchWith({ RATE_LIMIT: 'off' }, { token: TOKENS.alice, body: [initialize] });
    expect(fromInitialize.status).toBe(400);
    // A 2025-03-26 client (no version header) may still batch.
    const old = await fetchWith({ RATE_LIMIT: 'off' }, { token: TOKENS.alice, body: pings(2) });
    expect(old.status).toBe(200);
    expect(await replyOf(old)).toEqual([
      { jsonrpc: '2.0', id: 1, result: {} },
      { jsonrpc: '2.0', id: 2, result: {} },
    ]);
  });
});

describe('daily image quota', () => {
  const generate = (count: number) => ({
    jsonrpc: '2.0',
    id: 2,
    method: 'tools/call',
    params: { name: 'generate_image', arguments: { prompt: 'quota', provider: 'placeholder', count } },
  });

  it('refuses images over the quota with when it resets, and counts nothing for a refused call', async () => {
    const quota = { DAILY_IMAGE_QUOTA: '5' };
    const first = (await replyOf(await fetchWith(quota, { token: TOKENS.bob, body: generate(3) }))) as {
      result: { isError?: boolean };
    };
    expect(first.result.isError).toBeFalsy();

    const over = (await replyOf(await fetchWith(quota, { token: TOKENS.bob, body: generate(3) }))) as {
      result: { isError?: boolean; content: Array<{ text: string }> };
    };
    expect(over.result.isError).toBe(true);
    const text = over.result.content[0]!.text;
    expect(text).toMatch(
      /Daily image quota reached: 3 of 5 images used today \(UTC\), 2 left, and this call asks for 3/,
    );
    // Within the last hour of the UTC day the wait is said in minutes alone.
    expect(text).toMatch(/Ask for 2 or fewer, or retry after \d{4}-\d\d-\d\dT00:00:00\.000Z \(in (\d+ h )?\d+ min\)/);

    // The refused call took nothing: two more still fit, then none.
    const rest = (await replyOf(await fetchWith(quota, { token: TOKENS.bob, body: generate(2) }))) as {
      result: { isError?: boolean };
    };
    expect(rest.result.isError).toBeFalsy();
    const none = (await replyOf(await fetchWith(quota, { token: TOKENS.bob, body: generate(1) }))) as {
      result: { content: Array<{ text: string }> };
    };
    expect(none.result.content[0]!.text).toMatch(/5 of 5 images used today \(UTC\), 0 left.*Retry after/);

    // Another subject has its own quota.
    const alice = (await replyOf(await fetchWith(quota, { token: TOKENS.alice, body: generate(1) }))) as {
      result: { isError?: boolean };
    };
    expect(alice.result.isError).toBeFalsy();
  });

  it('never overshoots under concurrent requests, and old days are pruned', async () => {
    const now = Date.UTC(2026, 0, 10, 12);
    const attempts = await Promise.allSettled(
      Array.from({ length: 20 }, () => reserveImages(env.DB, 'racer', 1, 7, now)),
    );
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(7);
    const rejected = attempts.find((a): a is PromiseRejectedResult => a.status === 'rejected');
    expect(rejected?.reason).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 12 * 3600 });

    // The next UTC day starts from zero, and the day before yesterday is pruned.
    await expect(reserveImages(env.DB, 'racer', 7, 7, now + 24 * 3600 * 1000)).resolves.toBeUndefined();
    expect(await pruneUsage(env.DB, now + 2 * 24 * 3600 * 1000)).toBe(1);
  });
});
