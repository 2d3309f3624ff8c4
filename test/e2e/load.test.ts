/**
 * Load held, against the real process: 1000 images from 50 concurrent clients. Afterwards every job is in a
 * terminal state, and completed jobs = D1 rows = images served from R2 = gallery entries, with no duplicate.
 * The figures (jobs/s, p99 wait) go to test-results/load.json for docs/reliability.md; nothing is timed.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { describe, expect, inject, it } from 'vitest';
import { TOKENS } from '../helpers/tokens';
import { d1Execute } from './wrangler-dev';

const baseUrl = inject('baseUrl');
const persistDir = inject('persistDir');

const CLIENTS = 50;
const PER_CLIENT = 20;
const TOTAL = CLIENTS * PER_CLIENT;

let nextId = 1;

async function call<T>(name: string, args: Record<string, unknown>): Promise<T> {
  const response = await fetch(`${baseUrl}/mcp`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKENS.carol}` },
    body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method: 'tools/call', params: { name, arguments: args } }),
  });
  if (response.status !== 200) throw new Error(`${name}: HTTP ${response.status} ${await response.text()}`);
  const reply = (await response.json()) as { result?: { structuredContent: T; isError?: boolean }; error?: unknown };
  if (!reply.result || reply.result.isError) throw new Error(`${name} failed: ${JSON.stringify(reply)}`);
  return reply.result.structuredContent;
}

interface Waited {
  status: string;
  jobs: Array<{ job_id: string; status: string; image_url?: string }>;
  pending_job_ids: string[];
}

/** One client: asks for its images in one call, then waits until none is running. */
async function client(index: number, tag: string) {
  const started = performance.now();
  const { job_ids } = await call<{ job_ids: string[] }>('generate_image', {
    prompt: `${tag} client ${index}`,
    provider: 'placeholder',
    width: 64,
    height: 64,
    count: PER_CLIENT,
  });
  let waited = await call<Waited>('wait_for_completion', { job_ids, timeout_seconds: 50 });
  while (waited.status === 'running')
    waited = await call<Waited>('wait_for_completion', { job_ids: waited.pending_job_ids, timeout_seconds: 50 });
  return { jobIds: job_ids, waitMs: performance.now() - started };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

describe('load', () => {
  it(`${TOTAL} images from ${CLIENTS} concurrent clients all complete, once each`, { timeout: 300_000 }, async () => {
    const tag = `load-${crypto.randomUUID().slice(0, 8)}`;
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i, tag)));
    const seconds = (performance.now() - started) / 1000;

    const ids = results.flatMap((r) => r.jobIds);
    expect(new Set(ids).size).toBe(TOTAL);

    const rows = (await d1Execute(
      persistDir,
      `SELECT status, COUNT(*) AS n, COUNT(DISTINCT image_key) AS keys FROM jobs WHERE prompt LIKE '${tag} %' GROUP BY status`,
    )) as Array<{ status: string; n: number; keys: number }>;
    expect(rows).toEqual([{ status: 'completed', n: TOTAL, keys: TOTAL }]);

    // Every completed job's image is in R2: HEAD each signed URL (the Worker reads R2 for it).
    const views: Waited['jobs'] = [];
    for (let offset = 0; offset < TOTAL; offset += 50) {
      const page = await call<{ generations: Waited['jobs'] }>('list_generations', { limit: 50, offset });
      views.push(...page.generations.filter((g) => ids.includes(g.job_id)));
    }
    expect(new Set(views.map((v) => v.job_id)).size).toBe(TOTAL);
    for (let i = 0; i < views.length; i += 50) {
      const heads = await Promise.all(
        views.slice(i, i + 50).map((v) => fetch(v.image_url!, { method: 'HEAD' }).then((r) => r.status)),
      );
      expect(heads.every((status) => status === 200)).toBe(true);
    }

    const waits = results.map((r) => r.waitMs).sort((a, b) => a - b);
    const figures = {
      date: new Date().toISOString(),
      clients: CLIENTS,
      images: TOTAL,
      seconds: Number(seconds.toFixed(2)),
      jobs_per_second: Number((TOTAL / seconds).toFixed(1)),
      client_wait_ms: { p50: Math.round(percentile(waits, 50)), p99: Math.round(percentile(waits, 99)) },
    };
    await mkdir('test-results', { recursive: true });
    await writeFile('test-results/load.json', `${JSON.stringify(figures, null, 2)}\n`);
  });
});
