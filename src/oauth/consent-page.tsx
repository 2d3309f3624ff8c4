/**
 * The sign-in and consent page of /authorize: who is asking (the client's name, and for a Client ID
 * Metadata Document client its verified domain), where the access goes (the redirect host, with a warning
 * for a local app), what it may do (the scopes), how the person signs in (an access-token field, or the
 * upstream OpenID Connect provider the Allow button continues to), and Allow / Deny. Every string that
 * came from the client is escaped by JSX. The form posts only the library's single-use handle, which works
 * in this browser only (its cookie), so it cannot be forged from another site.
 */
import type { ConsentDescription } from '@cloudflare/workers-oauth-provider';
import type { FC } from 'hono/jsx';
import { Layout } from '../gallery/views';
import { SCOPE } from './scopes';

const SCOPE_WORDS: Record<string, string> = {
  [SCOPE.read]: 'see your images, jobs, styles and providers',
  [SCOPE.write]: 'generate, edit and delete images and styles, spending your providers’ credit',
  offline_access: 'stay signed in (refresh its access without asking you again)',
};

/** How the person proves who they are: an access token typed here, or signing in at the OIDC provider. */
export type SignIn = { kind: 'token' } | { kind: 'oidc'; provider: string };

export const ConsentPage: FC<{
  details: ConsentDescription;
  handle: string;
  nonce: string;
  signIn: SignIn;
  error?: string | undefined;
}> = ({ details, handle, nonce, signIn, error }) => (
  <Layout title={`Allow ${details.clientName}?`} nonce={nonce}>
    <h1>Allow {details.clientName} to use your image server?</h1>
    <p>
      {details.clientDomain ? (
        <>
          Published by <strong>{details.clientDomain}</strong>.
        </>
      ) : (
        'This app registered itself: its name is not verified.'
      )}{' '}
      Access will be sent to <strong>{details.redirectHost}</strong>.
    </p>
    {details.redirectIsLoopback && (
      <p>
        <strong>This sends access to an app on your computer.</strong> Continue only if you just started signing in from
        it.
      </p>
    )}
    <p>It asks to:</p>
    <ul>
      {details.scope.map((scope) => (
        <li>{SCOPE_WORDS[scope] ?? scope}</li>
      ))}
    </ul>
    {error && (
      <p role="alert">
        <strong>{error}</strong>
      </p>
    )}
    <form method="post" autocomplete="off">
      <input type="hidden" name="handle" value={handle} />
      <p>
        <label>
          <input type="checkbox" name="write" value="1" checked={details.scope.includes(SCOPE.write)} /> Let it{' '}
          {SCOPE_WORDS[SCOPE.write]} (unticked, it can only look)
        </label>
      </p>
      {signIn.kind === 'token' ? (
        <p>
          <input name="token" type="password" placeholder="Access token" aria-label="Access token" />
        </p>
      ) : (
        <p>Allow takes you to {signIn.provider} to sign in; only people this server lists get access.</p>
      )}
      <p>
        <button name="decision" value="allow" type="submit">
          {signIn.kind === 'token' ? 'Allow' : `Allow and sign in with ${signIn.provider}`}
        </button>{' '}
        <button name="decision" value="deny" type="submit">
          Deny
        </button>
      </p>
    </form>
  </Layout>
);
