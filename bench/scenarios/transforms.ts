/**
 * Scenario 4: a 1024×1024 photo-like PNG, stored as a generated image's original, to a 512×512 JPEG and WebP
 * through the image route (photon, WASM),
 * first request and repeat request, against the same transform by sharp (libvips, native) in Node on the
 * same PNG bytes. Server-side figures come from the route's Server-Timing header; a first request is made
 * first again by deleting the stored variant (through the bench build, uncounted) before each sample.
 */
import sharp from 'sharp';
import type { WaitResult } from '../client.ts';
import { photoPng } from '../images.ts';
import { figure, type ScenarioResult } from '../report.ts';
import { median, round } from '../stats.ts';
import type { BenchContext } from './context.ts';

const SOURCE = { provider: 'placeholder', width: 1024, height: 1024 } as const;
const OUTPUT = { width: 512, height: 512 } as const;
const JPEG_QUALITY = 85;

type Format = 'jpeg' | 'webp';
const CONTENT_TYPES: Record<Format, string> = { jpeg: 'image/jpeg', webp: 'image/webp' };

interface Sample {
  /** Round trip seen by the client, in ms. */
  wallMs: number;
  /** The route's Server-Timing entries, in ms. */
  timing: Record<string, number>;
  bytes: number;
}

function serverTiming(header: string | null): Record<string, number> {
  const entries: Record<string, number> = {};
  for (const entry of (header ?? '').split(',')) {
    const [name, ...params] = entry.trim().split(';');
    const dur = params.find((p) => p.startsWith('dur='));
    if (name && dur) entries[name] = Number(dur.slice(4));
  }
  return entries;
}

async function fetchVariant(url: string, format: Format, expect: 'hit' | 'miss'): Promise<Sample> {
  const started = performance.now();
  const response = await fetch(url);
  const body = await response.arrayBuffer();
  const wallMs = performance.now() - started;
  const transform = response.headers.get('x-transform');
  if (!response.ok || transform !== expect || response.headers.get('content-type') !== CONTENT_TYPES[format]) {
    throw new Error(`${format} ${expect}: HTTP ${response.status}, X-Transform ${transform}`);
  }
  const timing = serverTiming(response.headers.get('server-timing'));
  if (timing.transform === undefined || timing.total === undefined) {
    throw new Error(`${format} ${expect}: no Server-Timing transform and total entries`);
  }
  return { wallMs, timing, bytes: body.byteLength };
}

/** The route's transform (both sides given: centre-crop to fill, here a plain resize) done by libvips. */
async function sharpTransform(png: Uint8Array, format: Format): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  // Triangle (bilinear) is the route's filter too; photon's WebP encoder is lossless only.
  const pipeline = sharp(png).resize(OUTPUT.width, OUTPUT.height, { fit: 'cover', kernel: 'linear' });
  const out = await (format === 'jpeg'
    ? pipeline.jpeg({ quality: JPEG_QUALITY })
    : pipeline.webp({ lossless: true })
  ).toBuffer();
  return { ms: performance.now() - started, bytes: out.byteLength };
}

export async function transforms(ctx: BenchContext): Promise<ScenarioResult> {
  const firsts = ctx.quick ? 2 : 9;
  const repeats = ctx.quick ? 3 : 25;
  // libvips' operation cache would turn repeated identical transforms into lookups.
  sharp.cache(false);
  await ctx.client.setVars({ PLACEHOLDER_DELAY_MS: '0' });
  const done = await ctx.client.callTool<WaitResult>('generate_image_and_wait', { prompt: 'transform', ...SOURCE });
  const job = done.jobs[0];
  if (job?.status !== 'completed' || !job.image_url) throw new Error(`source image not generated: ${job?.status}`);
  // The placeholder draws flat palette images (tens of KiB), which flatter any decoder; a generated photo's PNG
  // is a megabyte or more, as this one is.
  await ctx.client.storeOriginal(job.job_id, await photoPng(SOURCE.width), SOURCE.width);
  const png = new Uint8Array(await (await fetch(job.image_url)).arrayBuffer());
  const meta = await sharp(png).metadata();
  if (meta.format !== 'png' || meta.width !== SOURCE.width || meta.height !== SOURCE.height) {
    throw new Error(
      `source is ${meta.format} ${meta.width}x${meta.height}, not a ${SOURCE.width}x${SOURCE.height} PNG`,
    );
  }

  const figures = [];
  const notes: string[] = [];
  const details: Record<string, unknown> = { sourceBytes: png.byteLength, sharpThreads: sharp.concurrency() };
  for (const format of ['jpeg', 'webp'] as const) {
    const params = { ...OUTPUT, format, ...(format === 'jpeg' && { quality: JPEG_QUALITY }) };
    const url = await ctx.client.variantUrl(job.job_id, params);
    // One untimed first request: it also instantiates photon's WASM module, once per isolate.
    await ctx.client.forgetVariants(job.job_id);
    await fetchVariant(url, format, 'miss');
    const misses: Sample[] = [];
    const hits: Sample[] = [];
    const sharps: Array<{ ms: number; bytes: number }> = [];
    await sharpTransform(png, format);
    // Interleaved, so drift on a shared machine hits photon and sharp alike.
    for (let i = 0; i < firsts; i++) {
      await ctx.client.forgetVariants(job.job_id);
      misses.push(await fetchVariant(url, format, 'miss'));
      sharps.push(await sharpTransform(png, format));
    }
    for (let i = 0; i < repeats; i++) hits.push(await fetchVariant(url, format, 'hit'));

    const photonMs = median(misses.map((s) => s.timing.transform!));
    const sharpMs = median(sharps.map((s) => s.ms));
    const label = format === 'jpeg' ? `JPEG q${JPEG_QUALITY}` : 'WebP (lossless)';
    figures.push(
      figure(`${label}: photon, first request, server-side (median of ${firsts})`, round(photonMs), 'ms'),
      figure(`${label}: photon, first request, round trip`, round(median(misses.map((s) => s.wallMs))), 'ms'),
      figure(`${label}: sharp in Node (median of ${firsts})`, round(sharpMs), 'ms'),
      figure(`${label}: photon ÷ sharp`, round(photonMs / sharpMs, 2), '×', { op: '<=', value: 2.5 }),
      figure(
        `${label}: repeat request, server-side (median of ${repeats})`,
        round(median(hits.map((s) => s.timing.total!))),
        'ms',
        { op: '<=', value: 5 },
      ),
      figure(`${label}: repeat request, round trip`, round(median(hits.map((s) => s.wallMs))), 'ms'),
    );
    notes.push(
      `${label}: ${round(misses[0]!.bytes / 1024, 1)} KiB from photon, ${round(sharps[0]!.bytes / 1024, 1)} KiB ` +
        `from sharp; repeat requests server-side ${round(Math.min(...hits.map((s) => s.timing.total!)))}–` +
        `${round(Math.max(...hits.map((s) => s.timing.total!)))} ms`,
    );
    details[format] = { misses, hits, sharp: sharps };
  }
  notes.unshift(
    `source: a ${SOURCE.width}×${SOURCE.height} photo-like PNG (gradients and noise) of ${round(png.byteLength / 1024, 1)} KiB; photon's ` +
      'first request is the Server-Timing `transform` entry (R2 head and get, decode, resize, encode, R2 put), ' +
      'the repeat its `total` (signature check and one R2 read); sharp times decode, resize and encode in memory ' +
      `on ${sharp.concurrency()} libvips thread(s), cache off`,
  );
  return { id: 4, title: 'Transforms (photon vs sharp)', status: 'ok', figures, notes, details };
}
