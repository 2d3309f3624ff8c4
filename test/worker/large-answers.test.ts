/**
 * Provider answers too large to hold (#17): an image over two parts goes to R2 as a multipart upload while the
 * answer is still arriving, and comes out whole; an upload cut short leaves nothing behind.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { z } from 'zod';
import { OriginalUpload, originalKey } from '../../src/images/storage';
import { processMessage } from '../../src/jobs/consumer';
import { GeminiProvider } from '../../src/providers/gemini';
import { SdWebuiProvider } from '../../src/providers/sd-webui';
import { imageDimensions } from '../../src/providers/sniff';
import type { GeneratedImage, GenerationContext, GenerationRequest } from '../../src/providers/types';
import { consumerDeps, insertJob, jobRow, ScriptedProvider } from '../helpers/jobs';
import { callTool, textOf } from '../helpers/mcp';
import { isWholePng } from '../helpers/png-check';

interface JobView {
  job_id: string;
  status: string;
  width: number;
  height: number;
  error: string | null;
}

const digest = async (bytes: Uint8Array) =>
  Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)), (b) => b.toString(16)).join('');

const sd = z.object({ SD_WEBUI_URL: z.url(), SD_WEBUI_AUTH: z.string() }).parse(env);
const SdWebuiProviderFor = () => new SdWebuiProvider({ url: sd.SD_WEBUI_URL, auth: sd.SD_WEBUI_AUTH });

const meta = { subject: 'test', prompt: 'p', provider: 'sd-webui', model: 'm', seed: 7 };

function randomBytes(n: number): Uint8Array {
  const bytes = new Uint8Array(n);
  for (let at = 0; at < n; at += 65536) crypto.getRandomValues(bytes.subarray(at, Math.min(n, at + 65536)));
  return bytes;
}

describe('a 2048² image of noise (12.6 MB, over two 5 MiB parts) through the queue', () => {
  it.each([
    ['sd-webui', { width: 2048, height: 2048 }],
    ['gemini', { width: 2048, height: 2048 }],
  ])('%s: stored in parts while it arrives, whole, with the size from its header', async (provider, size) => {
    const result = await callTool<{ jobs: JobView[] }>('generate_image_and_wait', {
      prompt: `FAKE:noisy a storm ${crypto.randomUUID()}`,
      provider,
      ...size,
      allow_paid: true,
      include_preview: false,
    });
    expect(result.isError, textOf(result)).toBeFalsy();
    const [job] = result.structured.jobs;
    expect(job).toMatchObject({ status: 'completed', width: 2048, height: 2048 });
    const object = await env.IMAGES.get(originalKey(job!.job_id));
    // A multipart object's ETag ends in the number of its parts: 5 MiB, 5 MiB, the rest.
    expect(object?.etag).toMatch(/-3$/);
    expect(object?.httpMetadata?.contentType).toBe('image/png');
    expect(object?.customMetadata).toMatchObject({ width: '2048', height: '2048', provider });
    const bytes = new Uint8Array(await object!.arrayBuffer());
    expect(bytes.length).toBeGreaterThan(2048 * 2048 * 3);
    expect(imageDimensions(bytes)).toEqual({ width: 2048, height: 2048 });
    expect(isWholePng(bytes)).toBe(true);
  });

  it('drops the parts written when the answer breaks off, and fails the job with the reason', async () => {
    // The consumer's bucket is this env's: watch the uploads it makes.
    const create = env.IMAGES.createMultipartUpload.bind(env.IMAGES);
    const calls: string[] = [];
    const spy = vi.spyOn(env.IMAGES, 'createMultipartUpload').mockImplementation(async (key, options) => {
      const upload = await create(key, options);
      return Object.assign(Object.create(upload), {
        uploadPart: (n: number, part: Uint8Array) => {
          calls.push(`part ${n}`);
          return upload.uploadPart(n, part);
        },
        abort: () => {
          calls.push('abort');
          return upload.abort();
        },
        complete: (parts: R2UploadedPart[]) => {
          calls.push('complete');
          return upload.complete(parts);
        },
      });
    });
    onTestFinished(() => spy.mockRestore());
    const result = await callTool<{ jobs: JobView[] }>('generate_image_and_wait', {
      prompt: `FAKE:cut a storm ${crypto.randomUUID()}`,
      provider: 'sd-webui',
      width: 2048,
      height: 2048,
      include_preview: false,
    });
    const [job] = result.structured.jobs;
    expect(job).toMatchObject({ status: 'failed', error: expect.stringMatching(/ended inside a string/) });
    expect(await env.IMAGES.head(originalKey(job!.job_id))).toBeNull();
    expect(calls).toEqual(['part 1', 'abort']);
  });
});

describe('the consumer and the spill', () => {
  /** Writes one part of noise to the spill, then answers with a different, whole image. */
  class InterimThenWhole extends ScriptedProvider {
    override async generate(request: GenerationRequest, ctx: GenerationContext): Promise<GeneratedImage> {
      await ctx.spill!.write(randomBytes(ctx.spill!.partBytes));
      return { ...(await super.generate(request, ctx)), continuesSpill: false };
    }
  }

  it('drops parts of an interim image and stores the chosen one whole', async () => {
    const job = await insertJob({ prompt: 'interim', provider: 'scripted' });
    expect((await processMessage({ job_id: job.id }, consumerDeps(new InterimThenWhole()))).ack).toBe(true);
    expect(await jobRow(job.id)).toMatchObject({ status: 'completed' });
    const object = await env.IMAGES.get(originalKey(job.id));
    expect(object?.etag).not.toMatch(/-\d+$/);
    expect(isWholePng(new Uint8Array(await object!.arrayBuffer()))).toBe(true);
  });

  it.each([
    ['sd-webui', () => SdWebuiProviderFor()],
    ['gemini', () => new GeminiProvider({ apiKey: env.GEMINI_API_KEY!, baseUrl: env.GEMINI_BASE_URL! })],
  ])('%s: retries a job whose part could not be stored, as a storage failure', async (_, real) => {
    class FailingStore extends ScriptedProvider {
      override generate(request: GenerationRequest, ctx: GenerationContext): Promise<GeneratedImage> {
        const spill = {
          partBytes: 1 << 20,
          written: 0,
          head: undefined,
          write: () => Promise.reject(new Error('R2 is down')),
        };
        return real().generate({ ...request, model: real().defaultModel }, { ...ctx, spill });
      }
    }
    const job = await insertJob({ prompt: 'FAKE:noisy spill fails', provider: 'scripted', width: 1024, height: 1024 });
    const outcome = await processMessage({ job_id: job.id }, consumerDeps(new FailingStore()));
    expect(outcome).toMatchObject({ ack: false });
    expect(await jobRow(job.id)).toMatchObject({
      status: 'processing',
      error: expect.stringMatching(/^Storing the image as it arrived failed: R2 is down/),
    });
  });
});

describe('OriginalUpload', () => {
  it('splits what is left into parts no larger than the others', async () => {
    const png = randomBytes(3 * (5 << 20) + 1000);
    const id = crypto.randomUUID();
    const upload = new OriginalUpload(env.IMAGES, id, meta);
    await upload.write(png.subarray(0, upload.partBytes));
    const stored = await upload.finish(png.subarray(upload.partBytes));
    expect(stored.size).toBe(png.length);
    expect(stored.etag).toMatch(/-4$/);
  });

  it('writes equal parts and a smaller last one, and completes to the same bytes', async () => {
    const png = randomBytes(12 << 20);
    png.set([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0, 0, 0, 0, 64,
    ]);
    const id = crypto.randomUUID();
    const upload = new OriginalUpload(env.IMAGES, id, meta);
    await upload.write(png.subarray(0, upload.partBytes));
    expect(upload).toMatchObject({ written: upload.partBytes });
    const stored = await upload.finish(png.subarray(upload.partBytes));
    expect(stored.size).toBe(png.length);
    const object = await env.IMAGES.get(originalKey(id));
    expect(object?.customMetadata).toMatchObject({ width: '256', height: '64', seed: '7', job_id: id });
    expect(await digest(new Uint8Array(await object!.arrayBuffer()))).toBe(await digest(png));
  });

  it('leaves nothing behind when aborted, and aborting before any part costs nothing', async () => {
    const id = crypto.randomUUID();
    const upload = new OriginalUpload(env.IMAGES, id, meta);
    await upload.abort();
    await upload.write(randomBytes(upload.partBytes));
    await upload.abort();
    expect(await env.IMAGES.head(originalKey(id))).toBeNull();
    await expect(upload.finish(new Uint8Array(10))).rejects.toThrow(/before any part/);
  });
});
