/**
 * One error type for everything the service reports on purpose: a public message that is safe to show a
 * caller, a code that the HTTP and MCP layers map once, and an internal cause that stays in the logs.
 */
export type ErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'payload_too_large'
  | 'rate_limited'
  | 'unavailable'
  | 'misconfigured'
  | 'internal';

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  payload_too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  misconfigured: 500,
  internal: 500,
};

export class AppError extends Error {
  override readonly name = 'AppError';

  /** For rate_limited: when a retry can succeed (the HTTP layer sends it as Retry-After). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(message, options);
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  get status(): number {
    return STATUS[this.code];
  }
}

/** A readable description of anything thrown, for logs and stored job errors (never `[object Object]`). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
