/**
 * What each grant was made with, so that taking that one credential away ends the grant: the access token typed
 * on the sign-in page (kept as its SHA-256, inside the grant's props, which the OAuth library stores encrypted),
 * or the OIDC_ALLOW entry the person matched. A grant stays good while that token is still configured for the
 * same subject, or that entry still names it: rotating a leaked token, or dropping one person from a subject
 * several share, ends exactly the grants made with it, at the next request and at the next refresh.
 */
import { type Config, subjectServed } from '../config';

export type SignedInWith = { kind: 'token'; sha256: string } | { kind: 'oidc'; identity: string };

/** What a grant carries into each request: whose images it reaches, and what it was made with. */
export interface OAuthProps {
  subject: string;
  /** Absent only in grants made before it was recorded; those are held to their subject still being served. */
  via?: SignedInWith;
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function signedInWithToken(token: string): Promise<SignedInWith> {
  return { kind: 'token', sha256: await sha256(token) };
}

/** Each configured token's SHA-256 -> its subject, computed once per configuration. */
const digests = new WeakMap<Config, Promise<ReadonlyMap<string, string>>>();

function tokenDigests(config: Config): Promise<ReadonlyMap<string, string>> {
  let kept = digests.get(config);
  if (!kept) {
    kept = Promise.all(
      [...config.tokens].map(async ([token, subject]) => [await sha256(token), subject] as const),
    ).then((pairs) => new Map(pairs));
    digests.set(config, kept);
  }
  return kept;
}

/** Whether the credential a grant was made with still signs its subject in. */
export async function stillGranted(config: Config, props: OAuthProps): Promise<boolean> {
  const { via, subject } = props;
  if (!via) return subjectServed(config, subject);
  if (via.kind === 'oidc') return config.oidc?.allow.get(via.identity) === subject;
  return (await tokenDigests(config)).get(via.sha256) === subject;
}
