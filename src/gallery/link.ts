/**
 * Gallery links: a signed, expiring capability to browse one subject's images. The subject travels in the
 * clear (`s=`): it is a label, not a secret, and whoever holds the link sees that subject's images anyway.
 * The HMAC over subject and expiry is what stops a link being edited into another subject's or extended.
 * Paging and detail links carry the same three parameters; what they add (a page position, an image id)
 * needs no signature, because every lookup is scoped to the signed subject.
 */
import { parseExpiry, sign, verify } from '../images/signing';

export const GALLERY_LINK_DEFAULT_SECONDS = 3600;
export const GALLERY_LINK_MAX_SECONDS = 7 * 24 * 3600;

export interface GalleryGrant {
  subject: string;
  /** Unix seconds. */
  expires: number;
  sig: string;
}

/** What the HMAC covers; the /gallery prefix keeps it apart from image signatures, which cover /images/... */
const resource = (subject: string) => `/gallery?s=${encodeURIComponent(subject)}`;

export async function grantGallery(secret: string, subject: string, expires: number): Promise<GalleryGrant> {
  return { subject, expires, sig: await sign(secret, resource(subject), expires) };
}

export type GrantCheck = { status: 'ok'; grant: GalleryGrant } | { status: 'expired' | 'invalid' };

/** Constant-time check of a link's s/exp/sig; an unsigned or edited link is 'invalid', never 'expired'. */
export async function checkGrant(
  secret: string,
  query: { s?: string | undefined; exp?: string | undefined; sig?: string | undefined },
  nowSeconds: number,
): Promise<GrantCheck> {
  const { s, exp, sig } = query;
  const expires = parseExpiry(exp);
  if (!s || !sig || expires === null) return { status: 'invalid' };
  const status = await verify(secret, resource(s), expires, sig, nowSeconds);
  return status === 'ok' ? { status, grant: { subject: s, expires, sig } } : { status };
}

/** A same-origin link inside the gallery (`path` is '' or '/{id}'), signed by the grant, plus navigation state. */
export function galleryHref(grant: GalleryGrant, path = '', extra: Record<string, string | undefined> = {}): string {
  const query = new URLSearchParams({ s: grant.subject, exp: String(grant.expires), sig: grant.sig });
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) query.set(key, value);
  return `/gallery${path}?${query}`;
}

/** The absolute link the gallery_link tool and the token exchange hand out. */
export async function galleryLink(
  secret: string,
  baseUrl: string,
  subject: string,
  nowSeconds: number,
  ttlSeconds: number = GALLERY_LINK_DEFAULT_SECONDS,
): Promise<{ url: string; expiresAt: string }> {
  const grant = await grantGallery(secret, subject, nowSeconds + ttlSeconds);
  return { url: `${baseUrl}${galleryHref(grant)}`, expiresAt: new Date(grant.expires * 1000).toISOString() };
}
