/** Test tokens: recognisable, so tests can scan captured output for leaks. Shared by every suite. */
export const TOKENS = {
  alice: 'tok-alice-0123456789abcdef',
  bob: 'tok-bob-0123456789abcdef00',
  /** The load test's own subject, so its counts are exact. */
  carol: 'tok-carol-0123456789abcdef',
} as const;
