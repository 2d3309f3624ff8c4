/** The HTML gallery: signed links scoped to one subject, escaping, paging, detail view and the token exchange. */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { grantGallery } from '../../src/gallery/link';
import { signingSecret } from '../../src/images/signing';
import { JobStore } from '../../src/jobs/store';
import { newJob } from '../helpers/jobs';
import { callTool, ORIGIN, request, TOKENS } from '../helpers/mcp';

async function makeImage(prompt: string, token: string = TOKENS.alice): Promise<string> {
  const result = await callTool<{ jobs: Array<{ job_id: string }> }>(
    'generate_image_and_wait',
    { prompt, provider: 'placeholder', width: 64, height: 64 },
    { token },
  );
  return result.structured.jobs[0]!.job_id;
}

async function galleryPath(token: string = TOKENS.alice): Promise<string> {
  const result = await callTool<{ url: string; expires_at: string }>('gallery_link', {}, { token });
  expect(result.isError).toBeFalsy();
  expect(result.structured.url.startsWith(`${ORIGIN}/gallery?`)).toBe(true);
  return result.structured.url.slice(ORIGIN.length);
}

const open = (path: string) => request(path, { token: null });

async function page(path: string): Promise<string> {
  const response = await open(path);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/html');
  return response.text();
}

const unescapeHref = (href: string) => href.replaceAll('&amp;', '&');
const hrefs = (html: string, pattern: RegExp) =>
  [...html.matchAll(/href="([^"]+)"/g)].map((m) => unescapeHref(m[1]!)).filter((h) => pattern.test(h));
const cardIds = (html: string) => [...html.matchAll(/data-id="([^"]+)"/g)].map((m) => m[1]!);

/** Finished rows written straight to D1 at chosen times, so their order is fully known. */
async function seedImages(subject: string, count: number, createdAt: (i: number) => number): Promise<string[]> {
  const store = new JobStore(env.DB);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const job = newJob({ subject, prompt: `seeded ${i}`, provider: 'placeholder' });
    await store.create([job], createdAt(i));
    await env.DB.prepare(
      `UPDATE jobs SET status = 'completed', content_type = 'image/png', image_key = 'x', image_bytes = 1
       WHERE id = ?`,
    )
      .bind(job.id)
      .run();
    ids.push(job.id);
  }
  return ids;
}

async function pathFor(subject: string, expires: number): Promise<string> {
  const secret = await signingSecret(env.DB, loadConfig(env));
  const grant = await grantGallery(secret, subject, expires);
  return `/gallery?s=${encodeURIComponent(grant.subject)}&exp=${grant.expires}&sig=${grant.sig}`;
}

describe('gallery pages', () => {
  it('shows the caller’s images newest first as cards with signed thumbnails, under strict headers', async () => {
    const older = await makeImage('a lighthouse at dusk');
    const newer = await makeImage('a red fox in snow');
    const response = await open(await galleryPath());
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("img-src 'self'");
    expect(csp).toMatch(/style-src 'nonce-[^']+'/);
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    const html = await response.text();
    expect(html.startsWith('<!doctype html>')).toBe(true);
    const ids = cardIds(html);
    expect(ids.indexOf(newer)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(newer)).toBeLessThan(ids.indexOf(older));
    expect(html).toContain('a red fox in snow');
    expect(html).toContain('placeholder');
    expect(html).toContain('64×64');
    expect(html).toMatch(/<time datetime="\d{4}-\d\d-\d\dT/);
    expect(html).not.toContain('<script');

    const thumbnail = unescapeHref(new RegExp(`src="(${ORIGIN}/images/${newer}[^"]+)"`).exec(html)![1]!);
    expect(thumbnail).toContain('width=256&height=256&format=jpeg&quality=75&exp=');
    const image = await open(thumbnail.slice(ORIGIN.length));
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/jpeg');
  });

  it('escapes a hostile prompt everywhere it appears', async () => {
    const id = await makeImage('<script>alert("x")</script><img src=x onerror=alert(1)> & "q"');
    const list = await page(await galleryPath());
    const detail = await page(hrefs(list, new RegExp(`^/gallery/${id}\\?`))[0]!);
    for (const html of [list, detail]) {
      expect(html).not.toContain('<script>alert');
      expect(html).not.toContain('<img src=x');
      expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    }
  });

  it('pages through older images by cursor, with every link still signed', async () => {
    // Dated far ahead so they are bob's newest; two share a timestamp, so the id has to break the tie.
    const ids = await seedImages('bob', 5, (i) => 4_102_444_800_000 + Math.min(i, 3) * 1000);
    const expected = [...[ids[3]!, ids[4]!].sort().reverse(), ids[2]!, ids[1]!, ids[0]!];

    const seen: string[] = [];
    let next: string | undefined = `${await pathFor('bob', Math.floor(Date.now() / 1000) + 600)}&limit=2`;
    let pages = 0;
    while (next && seen.length < expected.length) {
      const html = await page(next);
      const cards = cardIds(html);
      expect(cards.length).toBeLessThanOrEqual(2);
      seen.push(...cards);
      for (const link of hrefs(html, /^\/gallery/)) expect(link).toMatch(/\?s=bob&exp=\d+&sig=[\w-]{43}/);
      // Later pages lead back to the newest images.
      if (pages > 0) expect(html).toContain('← Newest');
      const older = /<a href="([^"]+)" rel="next"/.exec(html)?.[1];
      next = older && unescapeHref(older);
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen.slice(0, expected.length)).toEqual(expected);
  });

  it('shows one image in detail, with a signed link to the original and a way back', async () => {
    const id = await makeImage('a detailed teapot');
    const list = await page(await galleryPath());
    const detail = await page(hrefs(list, new RegExp(`^/gallery/${id}\\?`))[0]!);
    expect(detail).toContain('a detailed teapot');
    expect(detail).toContain('placeholder');
    expect(detail).toContain(id);
    const original = unescapeHref(/<a href="([^"]+)">Open the original/.exec(detail)![1]!);
    expect(original).toMatch(new RegExp(`^${ORIGIN}/images/${id}\\.png\\?exp=\\d+&sig=`));
    expect((await open(original.slice(ORIGIN.length))).status).toBe(200);
    expect(hrefs(detail, /^\/gallery\?/).length).toBeGreaterThan(0);
  });
});

describe('gallery access', () => {
  it('never shows one subject’s images to another: a foreign id reads like a missing one', async () => {
    const id = await makeImage('alice only');
    const bobList = await page(await galleryPath(TOKENS.bob));
    expect(bobList).not.toContain(id);
    const bobLink = (await galleryPath(TOKENS.bob)).replace('/gallery?', '');
    const foreign = await open(`/gallery/${id}?${bobLink}`);
    const missing = await open(`/gallery/00000000-0000-4000-8000-000000000000?${bobLink}`);
    expect(foreign.status).toBe(404);
    expect(missing.status).toBe(404);
    const body = async (r: Response) => (await r.text()).replace(/nonce="[^"]+"/g, '');
    expect(await body(foreign)).toBe(await body(missing));
  });

  it('answers a tampered link like a missing page, and an expired one with a clear message', async () => {
    const path = await galleryPath();
    const url = new URL(path, ORIGIN);
    const variants = [
      ['s', 'bob'],
      ['exp', String(Number(url.searchParams.get('exp')) + 3600)],
      ['sig', `${url.searchParams.get('sig')!.slice(0, -2)}AA`],
      // The same expiry spelled otherwise: one strict rule for gallery and image links.
      ['exp', `0${url.searchParams.get('exp')}`],
    ] as const;
    for (const [key, value] of variants) {
      const edited = new URL(url);
      edited.searchParams.set(key, value);
      const response = await open(`${edited.pathname}${edited.search}`);
      expect(response.status).toBe(404);
      expect(await response.text()).toContain('Gallery not found.');
    }
    const dropped = await open(path.replace(/&sig=[^&]+/, ''));
    expect(dropped.status).toBe(404);

    // Correctly signed, but for a subject whose token is gone: revoking a token revokes its links.
    const revoked = await open(await pathFor('mallory-revoked', Math.floor(Date.now() / 1000) + 600));
    expect(revoked.status).toBe(404);

    const expired = await open(await pathFor('alice', Math.floor(Date.now() / 1000) - 5));
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('This gallery link has expired');

    const badCursor = await open(`${path}&before=nope`);
    expect(badCursor.status).toBe(400);
    expect(badCursor.headers.get('content-type')).toContain('text/html');
  });

  it('serves a sign-in page whose only script carries the CSP nonce', async () => {
    const response = await open('/gallery');
    expect(response.status).toBe(200);
    const nonce = /script-src 'nonce-([^']+)'/.exec(response.headers.get('content-security-policy') ?? '')?.[1];
    expect(nonce).toBeTruthy();
    const html = await response.text();
    expect([...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1])).toEqual([` nonce="${nonce}"`]);
    expect(html).toContain("fetch('/gallery/link'");
    expect(html).toContain('location.replace');
  });

  it('trades a valid bearer token, and only that, for a signed link', async () => {
    const anonymous = await request('/gallery/link', { method: 'POST', token: null });
    expect(anonymous.status).toBe(401);
    const wrong = await request('/gallery/link', { method: 'POST', token: 'tok-nobody-0123456789abcdef' });
    expect(wrong.status).toBe(401);
    expect(JSON.stringify(await wrong.json())).not.toContain('tok-');

    const id = await makeImage('exchanged', TOKENS.bob);
    const response = await request('/gallery/link', { method: 'POST', token: TOKENS.bob });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as { url: string; expires_at: string };
    expect(body.url).toMatch(/^http:\/\/localhost\/gallery\?s=bob&exp=\d+&sig=/);
    expect(body.url).not.toContain(TOKENS.bob);
    expect(Date.parse(body.expires_at)).toBeGreaterThan(Date.now());
    expect(cardIds(await page(body.url.slice(ORIGIN.length)))).toContain(id);

    const foreignOrigin = await request('/gallery/link', {
      method: 'POST',
      token: TOKENS.bob,
      headers: { origin: 'https://evil.example' },
    });
    expect(foreignOrigin.status).toBe(403);
  });
});
