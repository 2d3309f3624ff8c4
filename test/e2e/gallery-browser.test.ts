/**
 * The gallery in a real browser: Debian's Chromium, driven by playwright-core, against `wrangler dev`.
 * Checks what only a browser shows: the CSP lets the page work, the #token= exchange navigates, and the
 * thumbnails really decode and paint (a screenshot of each is not blank).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PhotonImage } from '@cf-wasm/photon';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TOKENS } from '../helpers/tokens';
import { launchChromium } from './chromium';
import { callTool, postMcp } from './rpc';

const baseUrl = inject('baseUrl');
const PROMPTS = ['a teal lighthouse on a cliff', 'an orange fox asleep in snow', 'a violet nebula over mountains'];

let browser: Browser;
let context: BrowserContext;
let ids: string[] = [];
/** Whatever the page reports going wrong: CSP violations, script errors, failed loads. */
const problems: string[] = [];

async function galleryLink(): Promise<string> {
  const response = await postMcp({
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name: 'gallery_link', arguments: { expires_in_seconds: 600 } },
  });
  const reply = (await response.json()) as { result: { structuredContent: { url: string } } };
  return reply.result.structuredContent.url;
}

async function newPage(): Promise<Page> {
  const page = await context.newPage();
  // Failed loads are reported below with their URL; the browser's own favicon probe is not the page's doing.
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
      problems.push(message.text());
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && !response.url().endsWith('/favicon.ico'))
      problems.push(`${response.status()} ${response.url()}`);
  });
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('requestfailed', (request) => problems.push(`${request.url()}: ${request.failure()?.errorText}`));
  return page;
}

/** Waits until every <img> has loaded, then returns their natural widths. */
async function loadedImageWidths(page: Page): Promise<number[]> {
  await page.waitForFunction(() => Array.from(document.images).every((img) => img.complete), undefined, {
    timeout: 30_000,
  });
  return page.$$eval('img', (images) => images.map((img) => img.naturalWidth));
}

/** Standard deviation of luminance over a PNG screenshot; a blank (single-colour) area gives about 0. */
function luminanceSpread(png: Buffer): { spread: number; colours: number } {
  const image = PhotonImage.new_from_byteslice(new Uint8Array(png));
  const pixels = image.get_raw_pixels();
  image.free();
  let sum = 0;
  let sumSquares = 0;
  const colours = new Set<number>();
  const count = pixels.length / 4;
  for (let i = 0; i < pixels.length; i += 4) {
    const y = 0.2126 * pixels[i]! + 0.7152 * pixels[i + 1]! + 0.0722 * pixels[i + 2]!;
    sum += y;
    sumSquares += y * y;
    colours.add((pixels[i]! << 16) | (pixels[i + 1]! << 8) | pixels[i + 2]!);
  }
  const mean = sum / count;
  return { spread: Math.sqrt(Math.max(0, sumSquares / count - mean * mean)), colours: colours.size };
}

beforeAll(async () => {
  const started = await callTool('generate_image', {
    prompt: PROMPTS[0],
    provider: 'placeholder',
    width: 512,
    height: 512,
  });
  const more = await Promise.all(
    PROMPTS.slice(1).map((prompt) =>
      callTool('generate_image', { prompt, provider: 'placeholder', width: 512, height: 384 }),
    ),
  );
  ids = [started, ...more].flatMap((r) => r.structuredContent.job_ids ?? []);
  expect(ids).toHaveLength(3);
  const done = await callTool('wait_for_completion', { job_ids: ids, timeout_seconds: 30 });
  expect(done.structuredContent.status).toBe('completed');
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

describe('gallery in Chromium', () => {
  it('renders cards whose thumbnails actually paint, pages by cursor and opens a detail view', async () => {
    problems.length = 0;
    const page = await newPage();
    const response = await page.goto(`${await galleryLink()}&limit=2`);
    expect(response?.status()).toBe(200);

    // The two newest images (the last two made) come first.
    const cards = page.locator('li.card');
    await expect.poll(() => cards.count()).toBe(2);
    const firstPage = await cards.evaluateAll((items) => items.map((item) => item.getAttribute('data-id')));
    expect(new Set(firstPage)).toEqual(new Set(ids.slice(1)));
    const text = await page.locator('ul.grid').textContent();
    expect(text).toContain('placeholder');
    expect(text).toMatch(/512×384/);
    expect(text).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    for (const width of await loadedImageWidths(page)) expect(width).toBe(256);

    // Screenshot each thumbnail as painted on screen: gradients and discs, not an empty box.
    const shots = join(tmpdir(), 'imagegen-gallery-e2e');
    await mkdir(shots, { recursive: true });
    await writeFile(join(shots, 'gallery.png'), await page.screenshot({ fullPage: true }));
    for (const [index, thumbnail] of (await page.locator('li.card img').all()).entries()) {
      const png = await thumbnail.screenshot();
      await writeFile(join(shots, `thumbnail-${index}.png`), png);
      const { spread, colours } = luminanceSpread(png);
      expect(spread).toBeGreaterThan(5);
      expect(colours).toBeGreaterThan(50);
    }

    // Older →: the remaining image, on a link that is still signed.
    await page.getByRole('link', { name: 'Older →' }).click();
    await page.waitForURL(/before=/);
    expect(page.url()).toMatch(/[?&]sig=[\w-]{43}/);
    const secondPage = await cards.evaluateAll((items) => items.map((item) => item.getAttribute('data-id')));
    expect(secondPage[0]).toBe(ids[0]);
    for (const width of await loadedImageWidths(page)) expect(width).toBeGreaterThan(0);

    // Detail view: the bigger preview, full metadata, and the original behind its own signed link.
    await page.locator(`li.card[data-id="${ids[0]}"] a`).click();
    await page.waitForURL(new RegExp(`/gallery/${ids[0]}\\?`));
    expect(await page.locator('dl').textContent()).toContain(PROMPTS[0]);
    expect(await loadedImageWidths(page)).toEqual([512]);
    const original = await page.getByRole('link', { name: 'Open the original' }).getAttribute('href');
    expect(original).toMatch(new RegExp(`/images/${ids[0]}\\.png\\?exp=\\d+&sig=`));
    const image = await fetch(original!);
    expect(image.status).toBe(200);
    await page.getByRole('link', { name: '← Back to the gallery' }).click();
    await page.waitForURL(/before=/);
    expect(await cards.first().getAttribute('data-id')).toBe(ids[0]);

    expect(problems).toEqual([]);
    await page.close();
  });

  it('trades a token in the URL fragment for a signed link, and keeps the token out of the address', async () => {
    problems.length = 0;
    const page = await newPage();
    const posted: string[] = [];
    page.on('request', (request) => posted.push(`${request.method()} ${request.url()}`));
    await page.goto(`${baseUrl}/gallery#token=${TOKENS.alice}`);
    await page.waitForURL(/\/gallery\?s=alice&exp=\d+&sig=/);
    expect(page.url()).not.toContain(TOKENS.alice);
    expect(posted).toContain(`POST ${baseUrl}/gallery/link`);
    expect(posted.some((line) => line.includes(TOKENS.alice))).toBe(false);
    const shown = await page.locator('li.card').evaluateAll((items) => items.map((i) => i.getAttribute('data-id')));
    // Newest first: this file's three images lead (the last two were made together, so either order).
    expect(new Set(shown.slice(0, 3))).toEqual(new Set(ids));
    expect(shown[2]).toBe(ids[0]);
    for (const width of await loadedImageWidths(page)) expect(width).toBeGreaterThan(0);
    expect(problems).toEqual([]);

    // A wrong token (its 401 is expected, so no longer collected) stays on the sign-in page with the server's reason.
    const wrong = await newPage();
    await wrong.goto(`${baseUrl}/gallery#token=not-a-valid-token`);
    await expect.poll(() => wrong.locator('#status').textContent()).toContain('Invalid bearer token');
    expect(wrong.url()).toBe(`${baseUrl}/gallery`);
    await page.close();
    await wrong.close();
  });
});
