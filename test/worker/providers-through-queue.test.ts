/** Each API provider through the whole path: tool call, queue, consumer, fake API, R2, job row. */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { callTool, textOf } from '../helpers/mcp';

interface JobView {
  job_id: string;
  status: string;
  provider: string;
  model: string;
  content_type?: string;
  progress: number | null;
  error: string | null;
  revised_prompt: string | null;
  provider_metadata: Record<string, unknown> | null;
  adaptations: string[];
}

const SECRETS = [env.OPENAI_API_KEY, env.GEMINI_API_KEY, env.SD_WEBUI_AUTH, env.SD_WEBUI_AUTH?.split(':')[1]].filter(
  Boolean,
) as string[];

describe.each(['openai', 'gemini', 'sd-webui'])('%s through the queue', (provider) => {
  it('generates, stores the true content type and records provider and model', async () => {
    const result = await callTool<{ status: string; jobs: JobView[] }>('generate_image_and_wait', {
      prompt: 'a lighthouse at dusk',
      provider,
      ...(provider === 'sd-webui' ? { width: 512, height: 512 } : {}),
    });
    expect(result.isError, textOf(result)).toBeFalsy();
    const [job] = result.structured.jobs;
    expect(job).toMatchObject({ status: 'completed', provider });
    expect(job?.content_type).toMatch(/^image\/(png|jpeg|webp)$/);
    if (provider === 'gemini') expect(job?.provider_metadata).toMatchObject({ synthid_watermark: true });
  });

  it('fails a permanent refusal at once with a message free of secrets', async () => {
    const mode = provider === 'sd-webui' ? 'FAKE:bad_request' : 'FAKE:content_policy';
    const result = await callTool<{ status: string; jobs: JobView[] }>('generate_image_and_wait', {
      prompt: `${mode} a castle`,
      provider,
      ...(provider === 'sd-webui' ? { width: 512, height: 512 } : {}),
    });
    const [job] = result.structured.jobs;
    expect(job?.status).toBe('failed');
    expect(job?.error).toBeTruthy();
    for (const secret of SECRETS) expect(JSON.stringify(result)).not.toContain(secret);
  });
});

describe('SD WebUI progress', () => {
  it('writes live progress to the job while a long generation runs', async () => {
    const started = await callTool<{ job_id: string }>('generate_image', {
      prompt: 'FAKE:slow:5000 a castle on a hill',
      provider: 'sd-webui',
      width: 512,
      height: 512,
    });
    const seen: number[] = [];
    const deadline = Date.now() + 15_000;
    for (;;) {
      const status = await callTool<JobView>('get_job_status', { job_id: started.structured.job_id });
      if (status.structured.status === 'processing' && status.structured.progress !== null)
        seen.push(status.structured.progress);
      if (status.structured.status === 'completed' || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen.some((p) => p > 0 && p < 1)).toBe(true);
  });
});
