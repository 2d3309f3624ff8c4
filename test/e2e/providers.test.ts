/** Every API provider through the real process: wrangler dev calling the fakes of their HTTP APIs. */
import { describe, expect, it } from 'vitest';
import { FAKE_SECRETS } from '../fakes/all';
import { callTool } from './rpc';

describe.each(['openai', 'gemini', 'sd-webui'])('%s', (provider) => {
  it('generates an image that loads from its signed URL', async () => {
    const result = await callTool('generate_image_and_wait', {
      prompt: 'a red kite over the dunes',
      provider,
      aspect_ratio: '1:1',
    });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent.status).toBe('completed');
    const job = result.structuredContent.jobs![0]!;
    const image = await fetch(job.image_url!);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toMatch(/^image\//);
  });

  it('retries a rate-limited call and completes with exactly one image', async () => {
    const result = await callTool('generate_image_and_wait', {
      prompt: 'FAKE:flaky:1 a kite',
      provider,
      aspect_ratio: '1:1',
    });
    expect(result.structuredContent.status).toBe('completed');
    expect(result.structuredContent.jobs![0]!.attempts).toBe(2);
  });
});

describe('auto routing and discovery', () => {
  it('sends a typography prompt to OpenAI and says why', async () => {
    const result = await callTool('generate_image_and_wait', { prompt: 'a shop sign that reads "OPEN LATE"' });
    const job = result.structuredContent.jobs![0] as unknown as { provider: string; route_reason: string };
    expect(job.provider).toBe('openai');
    expect(job.route_reason).toMatch(/text, logos or typography/);
  });

  it('lists the providers with their discovered models and no secrets', async () => {
    const result = await callTool('list_providers', { refresh: true });
    const text = JSON.stringify(result.structuredContent);
    for (const id of ['openai', 'gemini', 'sd-webui', 'workers-ai', 'placeholder'])
      expect(text).toContain(`"id":"${id}"`);
    for (const secret of Object.values(FAKE_SECRETS)) expect(text).not.toContain(secret);
  });
});
