/** Pure pieces: state rules, sizing, polling schedule, configuration, auth decisions, placeholder art. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { authenticate } from '../../src/http/auth';
import { originAllowed } from '../../src/http/origin';
import type { Job } from '../../src/jobs/model';
import { canTransition, JOB_STATUSES, retryDelaySeconds } from '../../src/jobs/model';
import { pollDelays, waitForJobs } from '../../src/jobs/wait';
import { findGeminiModel } from '../../src/providers/gemini-models';
import { PLACEHOLDER_MODEL, PlaceholderProvider } from '../../src/providers/placeholder';
import { wrapText } from '../../src/providers/placeholder-art';
import { planRequest } from '../../src/providers/plan';

describe('job state', () => {
  it('only moves forward, and a finished job never changes again', () => {
    const allowed = JOB_STATUSES.flatMap((from) =>
      JOB_STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}->${to}`),
    );
    expect(allowed.sort()).toEqual(
      [
        'pending->processing',
        'pending->failed',
        'processing->processing',
        'processing->completed',
        'processing->failed',
      ].sort(),
    );
  });

  it('backs off exponentially with bounded jitter', () => {
    expect(retryDelaySeconds(1, () => 0.5)).toBe(2);
    expect(retryDelaySeconds(3, () => 0.5)).toBe(8);
    expect(retryDelaySeconds(20, () => 0.5)).toBe(300);
    expect(retryDelaySeconds(3, () => 0)).toBe(6);
    expect(retryDelaySeconds(3, () => 1)).toBe(10);
  });
});

describe('sizing', () => {
  const resolveSize = (input: Record<string, unknown>, model = PLACEHOLDER_MODEL) => {
    const { width, height } = planRequest(model, { prompt: 'x', ...input }).request;
    return { width, height };
  };
  const caps = PLACEHOLDER_MODEL;
  it('defaults to 1024 square, keeps one given side square, snaps to the step', () => {
    expect(resolveSize({}, caps)).toEqual({ width: 1024, height: 1024 });
    expect(resolveSize({ width: 512 }, caps)).toEqual({ width: 512, height: 512 });
    expect(resolveSize({ width: 301, height: 205 }, caps)).toEqual({ width: 304, height: 208 });
  });
  it('turns aspect ratios into sizes with the long side at 1024', () => {
    expect(resolveSize({ aspect_ratio: '16:9' }, caps)).toEqual({ width: 1024, height: 576 });
    expect(resolveSize({ aspect_ratio: '3:4' }, caps)).toEqual({ width: 768, height: 1024 });
  });
  it('picks the named resolution that reaches the size asked for, and says so when it differs', () => {
    const pro = findGeminiModel('gemini-3-pro-image')!;
    const plan = (input: Record<string, unknown>) => planRequest(pro, { prompt: 'x', ...input });
    expect(plan({}).request).toMatchObject({ width: 1024, height: 1024, resolution: '1K' });
    expect(plan({ width: 4096, height: 4096 }).request).toMatchObject({ width: 4096, height: 4096, resolution: '4K' });
    // Nothing about the size changed; only that it is over what this server decodes.
    expect(plan({ width: 4096, height: 4096 }).adaptations).toEqual([
      expect.stringMatching(/^4096x4096 is over the \d+ pixels this server decodes/),
    ]);
    // About the square's pixel count at every ratio: 16:9 at 4K is over 16.7 Mpx.
    expect(plan({ width: 5504, height: 3096 }).request).toMatchObject({ width: 5456, height: 3072, resolution: '4K' });
    const asked = plan({ width: 3000, height: 3000 });
    expect(asked.request).toMatchObject({ width: 4096, height: 4096, resolution: '4K' });
    expect(asked.adaptations.join()).toMatch(/3000x3000 became 1:1 4K \(4096x4096\)/);
    expect(plan({ width: 9000, height: 9000 }).request.resolution).toBe('4K');
  });
  it('refuses what the provider cannot make, naming the range', () => {
    expect(() => resolveSize({ width: 10 }, caps)).toThrow(/width 10 is outside placeholder's range 64–2048/);
    expect(() => resolveSize({ aspect_ratio: 'wide' }, caps)).toThrow(/not a ratio like 16:9/);
    expect(() => resolveSize({ aspect_ratio: '100:1' }, caps)).toThrow(/at most 8:1/);
  });
});

describe('waiting', () => {
  it('polls at short, growing intervals capped at one second', () => {
    const delays = pollDelays();
    const first = Array.from({ length: 12 }, () => delays.next().value);
    expect(first.slice(0, 4)).toEqual([50, 70, 98, 137]);
    expect(Math.max(...first)).toBe(1000);
    for (let i = 1; i < first.length; i++) expect(first[i]).toBeGreaterThanOrEqual(first[i - 1]!);
  });

  it('returns as soon as every job is finished, or the jobs as they stand at the timeout', async () => {
    let clock = 0;
    const job = (status: Job['status']) => ({ status }) as Job;
    const sleep = async (ms: number) => {
      clock += ms;
    };
    let polls = 0;
    const done = await waitForJobs(async () => [job(++polls >= 3 ? 'completed' : 'processing')], {
      timeoutMs: 10_000,
      now: () => clock,
      sleep,
    });
    expect(done).toMatchObject({ done: true });
    expect(polls).toBe(3);
    expect(clock).toBe(50 + 70);

    clock = 0;
    const timedOut = await waitForJobs(async () => [job('pending')], { timeoutMs: 2000, now: () => clock, sleep });
    expect(timedOut.done).toBe(false);
    expect(clock).toBe(2000);
  });
});

describe('configuration', () => {
  it('maps AUTH_TOKEN and AUTH_TOKENS to subjects', () => {
    const config = loadConfig({ AUTH_TOKEN: 'single-token-0123456789', AUTH_TOKENS: '{"bob":"bob-token-0123456789"}' });
    expect([...config.tokens]).toEqual([
      ['single-token-0123456789', 'default'],
      ['bob-token-0123456789', 'bob'],
    ]);
  });
  it('rejects bad values with a message naming the variable', () => {
    expect(() => loadConfig({ AUTH_TOKENS: 'not json' })).toThrow(/AUTH_TOKENS: must be a JSON object/);
    expect(() => loadConfig({ AUTH_TOKENS: '{"alice":""}' })).toThrow(/AUTH_TOKENS.alice: tokens must not be empty/);
    expect(() => loadConfig({ AUTH_TOKENS: '{"no spaces":"x"}' })).toThrow(/AUTH_TOKENS/);
    expect(() => loadConfig({ IMAGE_URL_TTL_SECONDS: '-5' })).toThrow(/IMAGE_URL_TTL_SECONDS/);
    expect(() => loadConfig({ PUBLIC_BASE_URL: 'not a url' })).toThrow(/PUBLIC_BASE_URL/);
  });
});

describe('authentication without a configured token', () => {
  const open = loadConfig({});
  it('serves localhost only and tells remote callers how to configure a token', () => {
    expect(authenticate(open, 'http://localhost:8787/mcp', undefined)).toBe('local');
    expect(authenticate(open, 'http://127.0.0.1:8787/mcp', undefined)).toBe('local');
    expect(() => authenticate(open, 'https://imagegen.example.workers.dev/mcp', undefined)).toThrow(/Set AUTH_TOKEN/);
  });
  it('opens local mode only to a Host that is literally a loopback name or address', () => {
    // URL parsing turns these into 127.0.0.1; as Host headers they are not loopback names and are refused.
    for (const host of [
      '127.1',
      '0x7f000001',
      '2130706433',
      '127.0.0.1.nip.io',
      'localhost.evil.example',
      '0177.0.0.1',
    ])
      expect(() => authenticate(open, 'http://127.0.0.1/mcp', undefined, host), host).toThrow(/Set AUTH_TOKEN/);
    for (const host of ['localhost:8787', '127.0.0.1', '[::1]:8787', 'imagegen.localhost:8787', 'LOCALHOST'])
      expect(authenticate(open, 'http://127.0.0.1/mcp', undefined, host), host).toBe('local');
  });
  it('serves anyone once the operator opts in', () => {
    expect(authenticate(loadConfig({ ALLOW_ANONYMOUS: 'true' }), 'https://x.example/mcp', undefined)).toBe('anonymous');
  });
  it('checks origins against the allow-list, same origin and local pages of a local server', () => {
    const config = loadConfig({ ALLOWED_ORIGINS: 'https://chat.example.com' });
    expect(originAllowed(undefined, 'https://api.example.com/mcp', config)).toBe(true);
    expect(originAllowed('https://chat.example.com', 'https://api.example.com/mcp', config)).toBe(true);
    expect(originAllowed('https://api.example.com', 'https://api.example.com/mcp', config)).toBe(true);
    expect(originAllowed('http://localhost:6274', 'http://localhost:8787/mcp', config)).toBe(true);
    expect(originAllowed('http://localhost:6274', 'https://api.example.com/mcp', config)).toBe(false);
    expect(originAllowed('http://evil.example', 'http://localhost:8787/mcp', config)).toBe(false);
    expect(originAllowed('null', 'http://localhost:8787/mcp', config)).toBe(false);
    // Local pages only when both sides are literally local.
    expect(originAllowed('http://127.1:6274', 'http://127.0.0.1:8787/mcp', config, '127.0.0.1:8787')).toBe(false);
    expect(originAllowed('http://localhost:6274', 'http://127.0.0.1:8787/mcp', config, '127.1:8787')).toBe(false);
  });
  it('with PUBLIC_BASE_URL, takes the server’s origin from it and never from the Host header', () => {
    const config = loadConfig({ PUBLIC_BASE_URL: 'https://img.example.com', AUTH_TOKEN: 'single-token-0123456789' });
    // A request that arrived with Host: evil.example, from a page on evil.example.
    expect(originAllowed('http://evil.example', 'http://evil.example/mcp', config, 'evil.example')).toBe(false);
    expect(originAllowed('https://img.example.com', 'http://evil.example/mcp', config, 'evil.example')).toBe(true);
    expect(originAllowed('http://localhost:6274', 'http://localhost:8787/mcp', config, 'localhost:8787')).toBe(false);
  });
});

function request(fields: { prompt: string; seed: number; width: number; height: number }) {
  return planRequest(PLACEHOLDER_MODEL, fields).request;
}

describe('placeholder provider', () => {
  const provider = new PlaceholderProvider();
  const generate = (prompt: string, seed: number) =>
    provider.generate(request({ prompt, seed, width: 96, height: 64 }), { signal: new AbortController().signal });

  it('is deterministic for a prompt and seed, and varies with either', async () => {
    const a = await generate('a cat', 1);
    const b = await generate('a cat', 1);
    expect(a.bytes).toEqual(b.bytes);
    expect(a).toMatchObject({ contentType: 'image/png', width: 96, height: 64, seed: 1, model: 'placeholder' });
    expect((await generate('a dog', 1)).bytes).not.toEqual(a.bytes);
    expect((await generate('a cat', 2)).bytes).not.toEqual(a.bytes);
  });

  it('honours its delay and can be cut off', async () => {
    const slow = new PlaceholderProvider(10_000);
    const controller = new AbortController();
    const pending = slow.generate(request({ prompt: 'x', seed: 1, width: 64, height: 64 }), {
      signal: controller.signal,
    });
    controller.abort(new Error('cut off'));
    await expect(pending).rejects.toThrow('cut off');
  });

  it('wraps the prompt it draws', () => {
    expect(wrapText('one two three four five', 9, 2)).toEqual(['one two', 'three…']);
    expect(wrapText('short', 20, 3)).toEqual(['short']);
  });
});
