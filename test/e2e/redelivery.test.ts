/**
 * Redelivery against the real process: a job whose consumer died after storing the image (row still
 * `processing`, lease expired) is re-enqueued by the cron trigger and completes by reusing the stored image.
 */
import { describe, expect, inject, it } from 'vitest';
import { callTool } from './rpc';
import { d1Execute } from './wrangler-dev';

const baseUrl = inject('baseUrl');
const persistDir = inject('persistDir');

const call = async (name: string, args: Record<string, unknown>) => (await callTool(name, args)).structuredContent;

describe('redelivered jobs', () => {
  it('reuse the image a dead consumer stored instead of generating a second one', async () => {
    const first = await call('generate_image_and_wait', { prompt: 'survives a crash' });
    const job = first.jobs![0]!;
    expect(job.status).toBe('completed');
    const original = await fetch(job.image_url!);
    const lastModified = original.headers.get('last-modified');
    await original.arrayBuffer();

    await new Promise((r) => setTimeout(r, 1100)); // a regenerated image would carry a later upload time
    await d1Execute(
      persistDir,
      `UPDATE jobs SET status = 'processing', lease_until = 0, updated_at = 0, image_key = NULL WHERE id = '${job.job_id}'`,
    );
    expect((await call('get_job_status', { job_id: job.job_id })).status).toBe('processing');

    const cron = await fetch(`${baseUrl}/cdn-cgi/local/scheduled`);
    expect(cron.status).toBe(200);
    const recovered = await call('wait_for_completion', { job_id: job.job_id, timeout_seconds: 20 });
    expect(recovered.status).toBe('completed');
    const [after] = recovered.jobs!;
    expect(after?.attempts).toBe(2);
    const again = await fetch(after!.image_url!);
    expect(again.status).toBe(200);
    expect(again.headers.get('last-modified')).toBe(lastModified);

    const rows = await d1Execute(persistDir, `SELECT COUNT(*) AS n FROM jobs WHERE id = '${job.job_id}'`);
    expect(rows).toEqual([{ n: 1 }]);
  });
});
