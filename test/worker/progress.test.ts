/**
 * Progress that means something: wait tools count images finished out of images asked for, with a running job's
 * own progress (SD WebUI's sampling steps) as part of an image, only ever growing.
 */
import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/jobs/model';
import { imageProgress } from '../../src/tools/wait-result';
import { callToolStreamed } from '../helpers/mcp';

const job = (status: Job['status'], progress: number | null = null) => ({ status, progress }) as Job;

describe('progress of a wait', () => {
  it('counts finished images, and a running one by its own progress, never a whole image before it is done', () => {
    expect(imageProgress([job('completed'), job('processing', 0.4), job('pending')])).toEqual({
      progress: 1.4,
      message: '1/3 images finished; running: 40%',
    });
    expect(imageProgress([job('processing', 1)])).toEqual({
      progress: 0.99,
      message: '0/1 image finished; running: 100%',
    });
    expect(imageProgress([job('failed'), job('completed')])).toEqual({ progress: 2, message: '2/2 images finished' });
    expect(imageProgress([job('pending'), job('processing', null)]).progress).toBe(0);
  });

  it('reports SD WebUI sampling while two images generate, growing to 2 of 2', async () => {
    const { messages } = await callToolStreamed(
      41,
      'generate_image_and_wait',
      { prompt: 'FAKE:slow:4500 a harbour at dawn', provider: 'sd-webui', count: 2, width: 512, height: 512 },
      'images',
    );
    const progress = messages
      .filter((m) => m.method === 'notifications/progress')
      .map((m) => m.params as { progress: number; total: number; message: string });
    expect(messages.at(-1)).toMatchObject({ id: 41, result: { structuredContent: { status: 'completed' } } });
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.every((p) => p.total === 2)).toBe(true);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.progress).toBeGreaterThan(progress[i - 1]!.progress);
    expect(progress.at(-1)).toEqual({ progressToken: 'images', progress: 2, total: 2, message: '2/2 images finished' });
    // Somewhere between: part of an image, from the WebUI's sampling steps.
    expect(progress.some((p) => p.progress % 1 !== 0 && /running: \d+%/.test(p.message))).toBe(true);
  });
});
