/** Signed image URLs: they work without a token, and nothing else does. */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { signingSecret } from '../../src/images/signing';
import { imageUrl } from '../../src/images/urls';
import { processMessage } from '../../src/jobs/consumer';
import { consumerDeps, insertJob, ScriptedProvider } from '../helpers/jobs';
import { request } from '../helpers/mcp';

async function storedImage() {
  const job = await insertJob({ width: 64, height: 64 });
  await processMessage({ job_id: job.id }, consumerDeps(new ScriptedProvider()));
  const config = loadConfig(env);
  const secret = await signingSecret(env.DB, config);
  const url = new URL(
    await imageUrl(
      { baseUrl: 'http://localhost', config, secret, nowSeconds: Math.floor(Date.now() / 1000) },
      job.id,
      'image/png',
    ),
  );
  return { job, url, secret };
}

const get = (url: URL | string, headers: Record<string, string> = {}) =>
  request(typeof url === 'string' ? url : `${url.pathname}${url.search}`, { token: null, headers });

describe('image URLs', () => {
  it('serve the image with its content type, a strong ETag and long caching, and answer 304 to a revalidation', async () => {
    const { url } = await storedImage();
    const response = await get(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('cache-control')).toMatch(/max-age=\d+, immutable/);
    const etag = response.headers.get('etag')!;
    expect(etag).toMatch(/^"/);
    await response.arrayBuffer();
    const again = await get(url, { 'if-none-match': etag });
    expect(again.status).toBe(304);
  });

  it('answer tampered, foreign and missing signatures exactly like a missing image', async () => {
    const { url, job } = await storedImage();
    const other = await storedImage();
    const tampered = new URL(url);
    const sig = url.searchParams.get('sig')!;
    tampered.searchParams.set('sig', `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`);
    const swapped = new URL(url);
    swapped.pathname = `/images/${other.job.id}.png`;
    const extended = new URL(url);
    extended.searchParams.set('exp', String(Number(url.searchParams.get('exp')) + 3600));
    const bodies = new Set<string>();
    for (const bad of [
      tampered,
      swapped,
      extended,
      `/images/${job.id}.png`,
      `/images/${crypto.randomUUID()}.png?exp=1&sig=x`,
    ]) {
      const response = await get(bad);
      expect(response.status).toBe(404);
      bodies.add(await response.text());
    }
    expect(bodies.size).toBe(1);
  });

  it('read the expiry by one strict rule: plain decimal digits only, the same as gallery links', async () => {
    const { url } = await storedImage();
    const exp = url.searchParams.get('exp')!;
    expect((await get(url)).status).toBe(200);
    // Each of these is the same number to Number(), and each is refused like a bad signature.
    for (const spelling of [
      `0${exp}`,
      `+${exp}`,
      ` ${exp}`,
      `0x${Number(exp).toString(16)}`,
      `${Number(exp) / 1e9}e9`,
      `${exp}.0`,
    ]) {
      const odd = new URL(url);
      odd.searchParams.set('exp', spelling);
      expect((await get(odd)).status, spelling).toBe(404);
    }
  });

  it('refuse expired links with a message saying how to get a fresh one', async () => {
    const { job, secret } = await storedImage();
    const config = { ...loadConfig(env), imageUrlTtlSeconds: 60 };
    const expired = await imageUrl(
      { baseUrl: 'http://localhost', config, secret, nowSeconds: 1_000_000 },
      job.id,
      'image/png',
    );
    const response = await get(new URL(expired));
    expect(response.status).toBe(403);
    expect(JSON.stringify(await response.json())).toMatch(/expired/);
  });

  it('load from any page that holds the link, as a signed capability', async () => {
    const { url } = await storedImage();
    const response = await get(url, { origin: 'https://chat.example.com' });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('reject path tricks before touching storage', async () => {
    for (const path of ['/images/..%2F..%2Fsecret', '/images/originals/x', '/images/abc.png']) {
      expect((await get(path)).status).toBe(404);
    }
  });

  it('point to the public bucket domain when one is configured', async () => {
    const config = { ...loadConfig(env), publicImageBaseUrl: 'https://images.example.com' };
    const url = await imageUrl({ baseUrl: 'http://localhost', config, secret: 'x', nowSeconds: 0 }, 'abc', 'image/png');
    expect(url).toBe('https://images.example.com/originals/abc');
  });
});
