/** One place that turns HTTP statuses and transport failures of any provider into classified errors. */
import { ProviderError } from './types';

const POLICY = /content[_ -]?policy|moderation|safety|blocked|prohibited|responsible ?ai/i;

/** Removes every configured secret from a text that may be shown or stored. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  return out;
}

/**
 * An error that Cloudflare AI Gateway itself answered (authentication, its rate limits, its spend limits), rather
 * than the provider's answer passed through. Its body is Cloudflare's API envelope with an array of errors:
 * {"success":false,"result":[],"messages":[],"error":[{"code":2009,"message":"Unauthorized"}]} (the gateway's
 * 401 as reported on community.cloudflare.com, t/785119; the AI Gateway changelog of 2026-10-05 standardises
 * rejected credentials on HTTP 401 with code 2009). Returns "code 2009: Unauthorized", or null for anything else.
 */
export function gatewayErrorDetail(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const { success, error } = body as { success?: unknown; error?: unknown };
  if (success !== false || !Array.isArray(error)) return null;
  const parts = error.flatMap((e: { code?: unknown; message?: unknown }) =>
    typeof e?.message === 'string' ? [`${typeof e.code === 'number' ? `code ${e.code}: ` : ''}${e.message}`] : [],
  );
  return parts.length ? parts.join('; ') : 'an error without a message';
}

/** The label for errors a gateway in front of `provider` answered. */
export const viaGateway = (provider: string) => `Cloudflare AI Gateway (in front of ${provider})`;

/**
 * Maps an HTTP failure of `provider` to a ProviderError. `detail` is the provider's own error message, which
 * is kept (redacted) because it usually says what to change.
 */
export function classifyHttp(
  provider: string,
  status: number,
  detail: string,
  secrets: ReadonlyArray<string | undefined> = [],
): ProviderError {
  const said = redact(detail, secrets).slice(0, 500);
  const suffix = said ? `: ${said}` : '';
  if (status === 401 || status === 403) {
    return new ProviderError(
      `${provider} rejected the credentials (HTTP ${status}); check the API key or access settings${suffix}`,
      false,
      'auth_failed',
    );
  }
  if (status === 400 && POLICY.test(said)) {
    return new ProviderError(
      `${provider} refused the prompt under its content policy${suffix}. Rephrase the prompt.`,
      false,
      'content_policy',
    );
  }
  if (status === 404)
    return new ProviderError(`${provider} does not know this model or endpoint${suffix}`, false, 'model_not_found');
  if (status === 408 || status === 409 || status === 425 || status === 429) {
    return new ProviderError(`${provider} is rate limiting or busy (HTTP ${status})${suffix}`, true, 'rate_limited');
  }
  if (status >= 500)
    return new ProviderError(`${provider} had a server error (HTTP ${status})${suffix}`, true, 'provider_unavailable');
  return new ProviderError(`${provider} rejected the request (HTTP ${status})${suffix}`, false, 'provider_rejected');
}

/** Network failures and timeouts are retryable; everything unknown is treated as a malformed response. */
export function classifyThrown(
  provider: string,
  error: unknown,
  secrets: ReadonlyArray<string | undefined> = [],
): ProviderError {
  if (error instanceof ProviderError) return error;
  const message = redact(error instanceof Error ? error.message : String(error), secrets);
  if (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new ProviderError(`${provider} did not answer in time.`, true, 'timeout', { cause: error });
  }
  if (
    error instanceof TypeError ||
    /network connection|connection (refused|reset|lost)|fetch failed|socket|ECONN/i.test(message)
  ) {
    // fetch() rejects with a TypeError in Node and a plain "Network connection lost." Error in workerd.
    return new ProviderError(`Could not reach ${provider}: ${message}`, true, 'provider_unreachable');
  }
  return new ProviderError(`${provider} returned something unexpected: ${message}`, false, 'malformed_response');
}
