/**
 * HMAC-signed, expiring image URLs: they work without the bearer token (a chat UI loads them from the
 * user's browser) but cannot be guessed, enumerated or extended. The key is IMAGE_SIGNING_KEY when set,
 * otherwise a random key the deployment generates once and keeps in D1.
 */
import type { Config } from '../config';
import { encodeBase64 } from '../providers/sniff';

const keys = new Map<string, Promise<CryptoKey>>();
const encoder = new TextEncoder();

function importKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]);
    keys.set(secret, key);
  }
  return key;
}

const stored = new WeakMap<D1Database, Promise<string>>();

/** The signing secret; a generated one is written with an upsert that keeps the first value, so isolates agree. */
export function signingSecret(db: D1Database, config: Pick<Config, 'signingKey'>): Promise<string> {
  if (config.signingKey) return Promise.resolve(config.signingKey);
  let secret = stored.get(db);
  if (secret) return secret;
  secret = (async () => {
    const fresh = base64url(crypto.getRandomValues(new Uint8Array(32)));
    const row = await db
      .prepare(
        `INSERT INTO settings (key, value) VALUES ('signing_key', ?) ON CONFLICT (key) DO UPDATE SET value = value
       RETURNING value`,
      )
      .bind(fresh)
      .first<{ value: string }>();
    if (!row) throw new Error('could not read or create the image signing key');
    return row.value;
  })().catch((error: unknown) => {
    stored.delete(db);
    throw error;
  });
  stored.set(db, secret);
  return secret;
}

export function base64url(bytes: Uint8Array): string {
  return encodeBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]{43}$/.test(text)) return null;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

const payload = (path: string, expires: number) => encoder.encode(`${path}\n${expires}`);

/** HMAC-SHA256 of `message` under `secret` (the key imported once per secret). */
export async function hmac(secret: string, message: string | Uint8Array): Promise<Uint8Array> {
  const data = typeof message === 'string' ? encoder.encode(message) : message;
  return new Uint8Array(await crypto.subtle.sign('HMAC', await importKey(secret), data));
}

export async function sign(secret: string, path: string, expires: number): Promise<string> {
  return base64url(await hmac(secret, payload(path, expires)));
}

/**
 * A link's `exp` as we write it: seconds since the epoch in plain decimal digits, no sign, no leading zero, no
 * exponent or hex (all of which Number() would accept). One rule for image and gallery links; null otherwise.
 */
export function parseExpiry(text: string | undefined): number | null {
  return text !== undefined && /^[1-9][0-9]{0,11}$/.test(text) ? Number(text) : null;
}

/** Constant-time check (crypto.subtle.verify) that `signature` covers `path` and an unexpired `expires`. */
export async function verify(
  secret: string,
  path: string,
  expires: number,
  signature: string,
  nowSeconds: number,
): Promise<'ok' | 'expired' | 'invalid'> {
  const mac = fromBase64url(signature);
  if (!mac || !Number.isSafeInteger(expires)) return 'invalid';
  const valid = await crypto.subtle.verify('HMAC', await importKey(secret), mac, payload(path, expires));
  if (!valid) return 'invalid';
  return expires > nowSeconds ? 'ok' : 'expired';
}
