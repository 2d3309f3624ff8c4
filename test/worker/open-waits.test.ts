/**
 * One subject holds at most MAX_OPEN_WAITS long waits at once, across isolates (rows in D1): past that a wait
 * tool reports its jobs as they stand at once and tasks/result is refused, both saying why; a place comes back
 * when its wait returns, or at its expiry when the isolate holding it died.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { MAX_OPEN_WAITS, openWait, pruneOpenWaits, type ReleaseWait } from '../../src/jobs/open-waits';
import { insertJob, queuedTask } from '../helpers/jobs';
import { callTool, rpc, TOKENS } from '../helpers/mcp';

async function openCount(subject: string): Promise<number> {
  const row = await env.DB.prepare('SELECT COUNT(*) AS n FROM open_waits WHERE subject = ? AND expires_at > ?')
    .bind(subject, Date.now())
    .first<{ n: number }>();
  return row!.n;
}

interface WaitStructured {
  status: string;
  hint?: string;
}

describe('open waits per subject', () => {
  it('bounds the waits one subject holds; the next reports at once and says why; others are unaffected', async () => {
    const held: ReleaseWait[] = [];
    for (let i = 0; i < MAX_OPEN_WAITS; i++) held.push((await openWait(env.DB, 'bob', 60_000, Date.now()))!);
    expect(held.every(Boolean)).toBe(true);
    expect(await openWait(env.DB, 'bob', 60_000, Date.now())).toBeUndefined();
    const alices = await openWait(env.DB, 'alice', 60_000, Date.now());
    expect(alices).toBeDefined();
    await alices!();

    const job = await insertJob({ subject: 'bob' });
    const started = Date.now();
    const refused = await callTool<WaitStructured>(
      'wait_for_completion',
      { job_ids: [job.id], timeout_seconds: 30 },
      { token: TOKENS.bob },
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(refused.isError).toBeFalsy();
    expect(refused.structured.status).toBe('running');
    expect(refused.structured.hint).toMatch(new RegExp(`Not waited: .*${MAX_OPEN_WAITS} waits open`));

    const { taskId } = await queuedTask('bob');
    const result = await rpc('tasks/result', { taskId }, { token: TOKENS.bob });
    expect(result.error?.message).toMatch(new RegExp(`${MAX_OPEN_WAITS} waits open: poll tasks/get`));

    // One wait returns: the next one waits (here its whole second) and gives its place back when it ends.
    await held.pop()!();
    const waited = await callTool<WaitStructured>(
      'wait_for_completion',
      { job_ids: [job.id], timeout_seconds: 1 },
      { token: TOKENS.bob },
    );
    expect(waited.structured.hint).toMatch(/^Still working after 1s/);
    expect(await openCount('bob')).toBe(MAX_OPEN_WAITS - 1);
    await Promise.all(held.map((release) => release()));
    expect(await openCount('bob')).toBe(0);
  });

  it('frees a place left by a wait whose isolate died once its wait could no longer be running', async () => {
    const longAgo = Date.now() - 10 * 60_000;
    for (let i = 0; i < MAX_OPEN_WAITS; i++) await openWait(env.DB, 'carol', 60_000, longAgo);
    expect(await openCount('carol')).toBe(0);
    const release = await openWait(env.DB, 'carol', 60_000, Date.now());
    expect(release).toBeDefined();
    expect(await pruneOpenWaits(env.DB, Date.now())).toBe(MAX_OPEN_WAITS);
    await release!();
  });
});
