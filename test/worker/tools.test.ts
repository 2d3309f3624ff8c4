import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { callTool, request, rpc, TOKENS, textOf } from '../helpers/mcp';
import { TOOL_NAMES } from '../helpers/tool-names';

interface WaitResult {
  status: string;
  job_ids: string[];
  pending_job_ids: string[];
  jobs: Array<{ job_id: string; status: string; image_url?: string; width: number; height: number; seed: number }>;
}

describe('tools', () => {
  it('lists every tool, the Workers server’s six among them, each with title, annotations and output schema', async () => {
    const reply = await rpc('tools/list');
    const tools = (reply.result?.tools ?? []) as Tool[];
    expect(tools.map((t) => t.name).sort()).toEqual([...TOOL_NAMES].sort());
    for (const tool of tools) {
      expect(tool.title, tool.name).toBeTruthy();
      expect(tool.outputSchema?.type, tool.name).toBe('object');
      // A read-only tool states only what is meaningful for it (src/tools/define.ts); every other tool all four.
      const hints = tool.annotations?.readOnlyHint
        ? ['readOnlyHint', 'openWorldHint']
        : ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'];
      if (tool.annotations?.readOnlyHint) expect(tool.annotations).not.toHaveProperty('destructiveHint');
      for (const hint of hints) {
        expect(typeof tool.annotations?.[hint as keyof typeof tool.annotations], `${tool.name}.${hint}`).toBe(
          'boolean',
        );
      }
    }
    const generate = tools.find((t) => t.name === 'generate_image')!;
    expect(Object.keys(generate.inputSchema.properties ?? {})).toEqual(
      expect.arrayContaining([
        'prompt',
        'model',
        'count',
        'negative_prompt',
        'width',
        'height',
        'aspect_ratio',
        'seed',
        'provider',
      ]),
    );
  });

  it('bounds names and ids it does not list the bounds of: too long is a clear error, nothing is queued', async () => {
    const before = await callTool<{ jobs: unknown[] }>('list_jobs', { limit: 50 });
    for (const [tool, args] of [
      ['generate_image', { prompt: 'a cat', provider: 'p'.repeat(65) }],
      ['generate_image', { prompt: 'a cat', model: 'm'.repeat(129) }],
      ['generate_image_and_wait', { prompt: 'a cat', style: 's'.repeat(65) }],
      ['get_job_status', { job_id: 'j'.repeat(65) }],
      ['show_image', { image_id: 'i'.repeat(201) }],
    ] as const) {
      const result = await callTool(tool, args);
      expect(result.isError, tool).toBe(true);
      expect(textOf(result), tool).toMatch(/Too long: at most (64|128|200) characters/);
    }
    const listed = ((await rpc('tools/list')).result?.tools ?? []) as Tool[];
    const generate = listed.find((t) => t.name === 'generate_image')!;
    expect(generate.inputSchema.properties?.provider).not.toHaveProperty('maxLength');
    expect(generate.inputSchema.properties?.prompt).toMatchObject({ maxLength: 4000 });
    expect((await callTool<{ jobs: unknown[] }>('list_jobs', { limit: 50 })).structured.jobs).toHaveLength(
      before.structured.jobs.length,
    );
  });

  it('generates an image and waits for it: absolute signed URL, markdown and resource link', async () => {
    const result = await callTool<WaitResult>('generate_image_and_wait', {
      prompt: 'a red bicycle',
      provider: 'placeholder',
      width: 256,
      height: 128,
    });
    expect(result.isError).toBeFalsy();
    expect(result.structured.status).toBe('completed');
    const [job] = result.structured.jobs;
    expect(job?.status).toBe('completed');
    expect(job?.width).toBe(256);
    expect(job?.height).toBe(128);
    const url = new URL(job!.image_url!);
    expect(url.origin).toBe('http://localhost');
    expect(url.pathname).toBe(`/images/${job!.job_id}.png`);
    expect(url.searchParams.get('sig')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(textOf(result)).toContain(`![a red bicycle](${job!.image_url})`);
    expect(result.content).toContainEqual(
      expect.objectContaining({ type: 'resource_link', uri: job!.image_url, mimeType: 'image/png' }),
    );

    // The URL works without the bearer token and serves a real PNG of the requested size.
    const image = await request(`${url.pathname}${url.search}`, { token: null });
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    const bytes = new Uint8Array(await image.arrayBuffer());
    expect([...bytes.slice(1, 4)].map((b) => String.fromCharCode(b)).join('')).toBe('PNG');
    const view = new DataView(bytes.buffer);
    expect([view.getUint32(16), view.getUint32(20)]).toEqual([256, 128]);
  });

  it('queues count images as separate jobs and waits for all of them', async () => {
    const started = await callTool<{ job_id: string; job_ids: string[]; status: string }>('generate_image', {
      prompt: 'three cats',
      provider: 'placeholder',
      count: 3,
      aspect_ratio: '16:9',
      seed: 7,
    });
    expect(started.structured.status).toBe('pending');
    expect(started.structured.job_ids).toHaveLength(3);
    expect(started.structured.job_id).toBe(started.structured.job_ids[0]);

    const done = await callTool<WaitResult>('wait_for_completion', { job_ids: started.structured.job_ids });
    expect(done.structured.status).toBe('completed');
    expect(done.structured.jobs.map((j) => j.seed)).toEqual([7, 8, 9]);
    expect(done.structured.jobs.every((j) => j.width === 1024 && j.height === 576)).toBe(true);
    expect(new Set(done.structured.jobs.map((j) => j.image_url)).size).toBe(3);
  });

  it('reports get_job_status, list_jobs and list_generations for the caller only', async () => {
    const mine = await callTool<WaitResult>('generate_image_and_wait', {
      prompt: 'alice only',
      provider: 'placeholder',
    });
    const jobId = mine.structured.job_ids[0]!;

    const status = await callTool<{ status: string; image_url: string }>('get_job_status', { job_id: jobId });
    expect(status.structured.status).toBe('completed');
    expect(status.structured.image_url).toContain(jobId);

    const jobs = await callTool<{ jobs: Array<{ job_id: string }> }>('list_jobs', { status: 'completed', limit: 50 });
    expect(jobs.structured.jobs.map((j) => j.job_id)).toContain(jobId);
    const gallery = await callTool<{ generations: Array<{ job_id: string }> }>('list_generations', { limit: 50 });
    expect(gallery.structured.generations.map((j) => j.job_id)).toContain(jobId);

    const bobOptions = { token: TOKENS.bob };
    const foreign = await callTool('get_job_status', { job_id: jobId }, bobOptions);
    const missing = await callTool('get_job_status', { job_id: crypto.randomUUID() }, bobOptions);
    expect(foreign.isError).toBe(true);
    expect(textOf(foreign)).toBe(textOf(missing).replace(/"[^"]+"/, `"${jobId}"`));
    const bobJobs = await callTool<{ jobs: Array<{ job_id: string }> }>('list_jobs', { limit: 50 }, bobOptions);
    expect(bobJobs.structured.jobs.map((j) => j.job_id)).not.toContain(jobId);
    const bobWait = await callTool('wait_for_completion', { job_id: jobId }, bobOptions);
    expect(bobWait.isError).toBe(true);
  });

  it('routes auto to a configured real provider and reports why', async () => {
    const result = await callTool<WaitResult & { jobs: Array<{ provider: string; route_reason: string }> }>(
      'generate_image_and_wait',
      { prompt: 'a red bicycle', width: 512, height: 384 },
    );
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(result.structured.status).toBe('completed');
    expect(result.structured.jobs[0]?.provider).not.toBe('placeholder');
    expect(result.structured.jobs[0]?.route_reason).toMatch(/^auto:/);
  });

  it('returns status running with the job ids when the wait times out', async () => {
    const started = await callTool<{ job_ids: string[] }>('generate_image', {
      prompt: 'slow',
      provider: 'placeholder',
    });
    // A job that never leaves pending: mark it as leased far into the future.
    const { env } = await import('cloudflare:test');
    await env.DB.prepare(`UPDATE jobs SET status = 'processing', lease_until = ? WHERE id = ?`)
      .bind(Date.now() + 3_600_000, started.structured.job_ids[0])
      .run();
    const waited = await callTool<WaitResult>('wait_for_completion', {
      job_id: started.structured.job_ids[0],
      timeout_seconds: 1,
    });
    expect(waited.isError).toBeFalsy();
    expect(waited.structured.status).toBe('running');
    expect(waited.structured.pending_job_ids).toEqual(started.structured.job_ids);
    expect(textOf(waited)).toContain('wait_for_completion');
  });
});
