/**
 * Operator configuration, parsed from the Worker's environment with zod once per request.
 * Bad values fail loudly with a message naming the variable, never silently fall back.
 */
import * as z from 'zod';
import { AppError } from './errors';
import { log } from './log';
import { SCOPE } from './oauth/scopes';
import { canonicalProviderId, PROVIDER_IDS } from './providers/ids';

/** The RATE_LIMITER binding's settings (wrangler.jsonc `ratelimits`), repeated to word errors and limits. */
export const RATE_LIMIT = { requests: 300, periodSeconds: 60 } as const;

export interface Config {
  /** token -> subject; empty when no token is configured. */
  tokens: ReadonlyMap<string, string>;
  /** SUBJECT_SCOPES: what a subject may do, however it signs in; a subject not listed may do everything. */
  subjectScopes: ReadonlyMap<string, ReadonlySet<string>>;
  /** Sign-in at /authorize through an upstream OpenID Connect provider, when OIDC_ISSUER is set. */
  oidc: OidcSettings | undefined;
  allowAnonymous: boolean;
  /** READ_ONLY: the tools that make, change or delete anything are not offered to anyone. */
  readOnly: boolean;
  allowedOrigins: readonly string[];
  signingKey: string | undefined;
  publicBaseUrl: string | undefined;
  publicImageBaseUrl: string | undefined;
  imageUrlTtlSeconds: number;
  maxBodyBytes: number;
  jobMaxAttempts: number;
  jobStuckAfterSeconds: number;
  sseMaxStreamSeconds: number;
  sseFastPath: boolean;
  placeholderDelayMs: number;
  /** Days to keep images before the cron trigger deletes them; 0 keeps them forever. */
  imageRetentionDays: number;
  providers: ProviderSettings;
  /** Providers a caller must opt into per call (allow_paid), because they cost money. */
  paidProviders: readonly string[];
  /** What `provider` means when a call leaves it out: auto, or one configured provider's id. */
  defaultProvider: string;
  /** AI_GATEWAY_TOKEN, kept only to scrub it from texts (the providers' settings carry it as a header). */
  aiGatewayToken: string | undefined;
  /** Inline thumbnails in wait results when the call does not say: per client (auto), always, or never. */
  inlinePreview: 'auto' | 'always' | 'never';
  /** Whether each subject's requests go through the RATE_LIMITER binding (see RATE_LIMIT). */
  rateLimit: boolean;
  /** Images a subject may request per UTC day; 0 means no quota. */
  dailyImageQuota: number;
}

export interface OidcSettings {
  /** The issuer identifier; its metadata is at /.well-known/openid-configuration under it. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Who may sign in: an identity (a verified email, lower-cased, or the issuer's `sub`) -> its subject. */
  allow: ReadonlyMap<string, string>;
  /** OIDC_TRUST_EMAIL: take an email as verified when the provider does not say (it only issues verified ones). */
  trustEmail: boolean;
}

export interface ProviderSettings {
  workersAi: boolean;
  /** The AI Gateway that Workers AI runs through (the binding's `gateway` option), when AI_GATEWAY_ID is set. */
  workersAiGateway?: { id: string } | undefined;
  openai?: { apiKey: string; baseUrl?: string | undefined; headers?: Record<string, string> | undefined };
  gemini?: { apiKey: string; baseUrl?: string | undefined; headers?: Record<string, string> | undefined };
  sdWebui?: {
    url: string;
    auth?: string | undefined;
    accessClientId?: string | undefined;
    accessClientSecret?: string | undefined;
    timeoutMs: number;
  };
}

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? String(fallback) : v))
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const url = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim().replace(/\/+$/, '') : undefined))
  .pipe(z.url().optional());

/**
 * A provider's URL, refused when it carries user:password@: fetch would not send them, and they would show in
 * clear wherever the URL is logged. `instead` names the setting that holds such credentials.
 */
const endpoint = (instead: string) =>
  url.refine((value) => value === undefined || !/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(value), {
    error: `must not carry credentials (user:password@host); put them in ${instead}`,
  });

const subjectName = z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'subject names use letters, digits and . _ @ -');

/** A setting holding a JSON object, parsed, then checked by `shape`. */
const jsonObject = <T extends z.ZodType>(example: string, shape: T) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (!v?.trim()) return {};
      try {
        return JSON.parse(v) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be a JSON object such as ${example}` });
        return z.NEVER;
      }
    })
    .pipe(shape);

const tokenMap = jsonObject(
  '{"alice":"token-a"}',
  z.record(subjectName, z.string().trim().min(1, 'tokens must not be empty')),
);

const GRANTABLE: readonly string[] = [SCOPE.read, SCOPE.write];

/** SUBJECT_SCOPES: subject -> its scopes, space-separated as OAuth writes them; reading is always among them. */
const subjectScopes = jsonObject(
  '{"viewer":"images:read"}',
  z.record(
    subjectName,
    z
      .string()
      .transform((v) => v.split(/\s+/).filter(Boolean))
      .pipe(
        z
          .array(z.enum(GRANTABLE as [string, ...string[]], { error: `scopes are ${GRANTABLE.join(' and ')}` }))
          .refine((scopes) => scopes.includes(SCOPE.read), { error: `every subject needs ${SCOPE.read}` }),
      ),
  ),
);

/**
 * OIDC_ALLOW: identity -> subject. An identity is an email address (matched without regard to case, and only
 * when the provider says it verified it) or the provider's `sub` for the person.
 */
const allowList = jsonObject(
  '{"alice@example.com":"alice"}',
  z.record(z.string().trim().min(1, 'identities must not be empty'), subjectName),
);

const optional = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));

const list = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

const EnvSchema = z.object({
  AUTH_TOKEN: z.string().trim().optional(),
  AUTH_TOKENS: tokenMap,
  SUBJECT_SCOPES: subjectScopes,
  // Kept exactly as given: an issuer identifier is compared as a string (Auth0's ends in a slash).
  OIDC_ISSUER: optional.pipe(z.url().optional()),
  OIDC_CLIENT_ID: optional,
  OIDC_CLIENT_SECRET: optional,
  OIDC_ALLOW: allowList,
  OIDC_TRUST_EMAIL: flag,
  ALLOW_ANONYMOUS: flag,
  READ_ONLY: flag,
  ALLOWED_ORIGINS: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((s) => s.trim().replace(/\/+$/, ''))
        .filter(Boolean),
    ),
  IMAGE_SIGNING_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  PUBLIC_BASE_URL: url,
  PUBLIC_IMAGE_BASE_URL: url,
  IMAGE_URL_TTL_SECONDS: int(7 * 24 * 3600, 60, 365 * 24 * 3600),
  MAX_BODY_BYTES: int(1024 * 1024, 1024, 16 * 1024 * 1024),
  JOB_MAX_ATTEMPTS: int(5, 1, 20),
  JOB_STUCK_AFTER_SECONDS: int(600, 30, 24 * 3600),
  SSE_MAX_STREAM_SECONDS: int(300, 5, 3600),
  SSE_FAST_PATH: z
    .string()
    .optional()
    .transform((v) => v !== 'false' && v !== '0'),
  PLACEHOLDER_DELAY_MS: int(0, 0, 60_000),
  IMAGE_RETENTION_DAYS: int(0, 0, 3650),
  WORKERS_AI: z.enum(['auto', 'off', '']).optional(),
  OPENAI_API_KEY: optional,
  OPENAI_BASE_URL: endpoint('OPENAI_API_KEY'),
  GEMINI_API_KEY: optional,
  GOOGLE_API_KEY: optional,
  GEMINI_BASE_URL: endpoint('GEMINI_API_KEY'),
  SD_WEBUI_URL: endpoint('SD_WEBUI_AUTH (user:password)'),
  AI_GATEWAY_ID: optional.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a gateway id: letters, digits, - and _')
      .optional(),
  ),
  AI_GATEWAY_ACCOUNT_ID: optional.pipe(
    z
      .string()
      .regex(/^[0-9a-f]{32}$/i, 'must be a Cloudflare account id (32 hex digits)')
      .optional(),
  ),
  AI_GATEWAY_TOKEN: optional,
  AI_GATEWAY_URL: endpoint('AI_GATEWAY_TOKEN'),
  SD_WEBUI_AUTH: optional.pipe(
    z
      .string()
      .regex(/^[^:]+:.+$/, 'must be user:password')
      .optional(),
  ),
  SD_WEBUI_CF_ACCESS_CLIENT_ID: optional,
  SD_WEBUI_CF_ACCESS_CLIENT_SECRET: optional,
  SD_WEBUI_TIMEOUT_SECONDS: int(600, 10, 900),
  PAID_PROVIDERS: list.transform((ids) => ids.map(canonicalProviderId)),
  DEFAULT_PROVIDER: optional.transform((v) => canonicalProviderId(v ?? 'auto')),
  INLINE_PREVIEW: z
    .enum(['auto', 'always', 'never', ''])
    .optional()
    .transform((v) => v || 'auto'),
  /** on, off, or auto: on when several subjects (or anonymous callers) share the server. */
  RATE_LIMIT: z.enum(['on', 'off', 'auto', '']).optional(),
  DAILY_IMAGE_QUOTA: int(0, 0, 1_000_000),
});

const cache = new WeakMap<object, Config>();

/** An invalid configuration: the message says what is wrong, `settings` names the settings (never their values). */
export class ConfigError extends AppError {
  constructor(
    readonly settings: readonly string[],
    detail: string,
  ) {
    super('misconfigured', `Server configuration is invalid (${detail}).`);
  }
}

export function loadConfig(env: Partial<Record<keyof Env, unknown>>): Config {
  const cached = cache.get(env);
  if (cached) return cached;
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    const settings = [...new Set(parsed.error.issues.map((i) => String(i.path[0])))];
    throw new ConfigError(settings, detail);
  }
  const e = parsed.data;
  const providers = providerSettings(e);
  const tokens = new Map<string, string>();
  if (e.AUTH_TOKEN) tokens.set(e.AUTH_TOKEN, 'default');
  for (const [subject, token] of Object.entries(e.AUTH_TOKENS)) tokens.set(token, subject);
  const weak = [...tokens.keys()].filter((t) => t.length < 16).length;
  if (weak > 0) log.warn('short access tokens configured; use 32 random characters or more', { count: weak });
  const oidc = oidcSettings(e);
  const subjects = new Set([...tokens.values(), ...(oidc?.allow.values() ?? [])]);
  const config: Config = {
    tokens,
    subjectScopes: new Map(Object.entries(e.SUBJECT_SCOPES).map(([subject, scopes]) => [subject, new Set(scopes)])),
    oidc,
    allowAnonymous: e.ALLOW_ANONYMOUS,
    readOnly: e.READ_ONLY,
    allowedOrigins: e.ALLOWED_ORIGINS,
    signingKey: e.IMAGE_SIGNING_KEY,
    publicBaseUrl: e.PUBLIC_BASE_URL,
    publicImageBaseUrl: e.PUBLIC_IMAGE_BASE_URL,
    imageUrlTtlSeconds: e.IMAGE_URL_TTL_SECONDS,
    maxBodyBytes: e.MAX_BODY_BYTES,
    jobMaxAttempts: e.JOB_MAX_ATTEMPTS,
    jobStuckAfterSeconds: e.JOB_STUCK_AFTER_SECONDS,
    sseMaxStreamSeconds: e.SSE_MAX_STREAM_SECONDS,
    sseFastPath: e.SSE_FAST_PATH,
    placeholderDelayMs: e.PLACEHOLDER_DELAY_MS,
    imageRetentionDays: e.IMAGE_RETENTION_DAYS,
    providers,
    paidProviders: e.PAID_PROVIDERS,
    defaultProvider: checkDefaultProvider(e.DEFAULT_PROVIDER, providers, env),
    aiGatewayToken: e.AI_GATEWAY_TOKEN,
    inlinePreview: e.INLINE_PREVIEW,
    rateLimit:
      e.RATE_LIMIT === 'on' || ((e.RATE_LIMIT || 'auto') !== 'off' && (subjects.size > 1 || e.ALLOW_ANONYMOUS)),
    dailyImageQuota: e.DAILY_IMAGE_QUOTA,
  };
  cache.set(env, config);
  return config;
}

/** The OIDC settings go together: an issuer without its client or allow-list could sign nobody in. */
function oidcSettings(e: z.infer<typeof EnvSchema>): OidcSettings | undefined {
  const given = {
    OIDC_ISSUER: e.OIDC_ISSUER,
    OIDC_CLIENT_ID: e.OIDC_CLIENT_ID,
    OIDC_CLIENT_SECRET: e.OIDC_CLIENT_SECRET,
    OIDC_ALLOW: Object.keys(e.OIDC_ALLOW).length > 0 ? e.OIDC_ALLOW : undefined,
  };
  const missing = Object.entries(given)
    .filter(([, value]) => value === undefined)
    .map(([name]) => name);
  if (missing.length === Object.keys(given).length) return undefined;
  if (missing.length > 0)
    throw new ConfigError(missing, `${missing.join(', ')}: needed with the other OIDC_ settings for OIDC sign-in`);
  const issuer = new URL(e.OIDC_ISSUER!);
  // Plain http only for a provider on this machine (local development and the tests' fake provider).
  if (issuer.protocol !== 'https:' && !['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname))
    throw new ConfigError(['OIDC_ISSUER'], 'OIDC_ISSUER: must be an https URL');
  const allow = new Map(
    Object.entries(e.OIDC_ALLOW).map(([identity, subject]) => [
      identity.includes('@') ? identity.toLowerCase() : identity,
      subject,
    ]),
  );
  return {
    issuer: e.OIDC_ISSUER!,
    clientId: e.OIDC_CLIENT_ID!,
    clientSecret: e.OIDC_CLIENT_SECRET!,
    allow,
    trustEmail: e.OIDC_TRUST_EMAIL,
  };
}

/**
 * Whether the API still serves this subject: one of its access tokens is configured, or OIDC_ALLOW lists it.
 * Removing a subject from both ends what was granted to it before (OAuth grants, gallery links) at once,
 * however long those had to run. Without tokens or OIDC (local mode, anonymous) there is nothing to revoke.
 */
export function subjectServed(config: Pick<Config, 'tokens' | 'oidc'>, subject: string): boolean {
  if (config.tokens.size === 0 && !config.oidc) return true;
  return [...config.tokens.values(), ...(config.oidc?.allow.values() ?? [])].includes(subject);
}

const encoder = new TextEncoder();

/** Compares every configured token in constant time, so timing tells neither which nor how much matched. */
export function subjectForToken(tokens: Config['tokens'], presented: string): string | undefined {
  const given = encoder.encode(presented);
  let found: string | undefined;
  for (const [token, subject] of tokens) {
    const expected = encoder.encode(token);
    const equal =
      given.byteLength === expected.byteLength
        ? crypto.subtle.timingSafeEqual(given, expected)
        : !crypto.subtle.timingSafeEqual(expected, expected);
    if (equal) found = subject;
  }
  return found;
}

/** What `subject` may do: its SUBJECT_SCOPES entry, or everything. */
export function scopesOf(config: Config, subject: string): ReadonlySet<string> {
  return config.subjectScopes.get(subject) ?? ALL_SCOPES;
}

const ALL_SCOPES: ReadonlySet<string> = new Set(GRANTABLE);

/** DEFAULT_PROVIDER must name auto or a provider this deployment has, or every call that omits one would fail. */
function checkDefaultProvider(
  id: string,
  settings: ProviderSettings,
  env: Partial<Record<keyof Env, unknown>>,
): string {
  const needs: Record<string, string | null> = {
    auto: null,
    placeholder: null,
    'workers-ai': env.AI && settings.workersAi ? null : 'the AI binding (and WORKERS_AI not off)',
    openai: settings.openai ? null : 'OPENAI_API_KEY',
    gemini: settings.gemini ? null : 'GEMINI_API_KEY',
    'sd-webui': settings.sdWebui ? null : 'SD_WEBUI_URL',
  };
  const missing = needs[id];
  if (missing === undefined) {
    throw new ConfigError(
      ['DEFAULT_PROVIDER'],
      `DEFAULT_PROVIDER: "${id}" is not a provider; use auto or one of ${PROVIDER_IDS.join(', ')}`,
    );
  }
  if (missing !== null) {
    throw new ConfigError(
      ['DEFAULT_PROVIDER'],
      `DEFAULT_PROVIDER: ${id} is not configured on this server; it needs ${missing}`,
    );
  }
  return id;
}

/**
 * Cloudflare AI Gateway: https://gateway.ai.cloudflare.com/v1/{account_id}/{gateway_id}/{provider}, with the
 * provider segments `openai` and `google-ai-studio` (developers.cloudflare.com/ai-gateway/usage/providers/openai
 * and /google-ai-studio); an authenticated gateway takes `cf-aig-authorization: Bearer <token>`
 * (/ai-gateway/configuration/authentication). Workers AI goes through the binding's `gateway: { id }` option.
 */
export const AI_GATEWAY_URL = 'https://gateway.ai.cloudflare.com/v1';

function gatewayRoute(e: z.infer<typeof EnvSchema>, provider: 'openai' | 'google-ai-studio') {
  if (!e.AI_GATEWAY_ID) return {};
  if (!e.AI_GATEWAY_ACCOUNT_ID)
    throw new ConfigError(
      ['AI_GATEWAY_ACCOUNT_ID'],
      'AI_GATEWAY_ACCOUNT_ID: needed with AI_GATEWAY_ID to send OpenAI and Gemini through the gateway',
    );
  const origin = e.AI_GATEWAY_URL ?? AI_GATEWAY_URL;
  return {
    baseUrl: `${origin}/${e.AI_GATEWAY_ACCOUNT_ID}/${e.AI_GATEWAY_ID}/${provider}`,
    ...(e.AI_GATEWAY_TOKEN && { headers: { 'cf-aig-authorization': `Bearer ${e.AI_GATEWAY_TOKEN}` } }),
  };
}

function providerSettings(e: z.infer<typeof EnvSchema>): ProviderSettings {
  const geminiKey = e.GEMINI_API_KEY ?? e.GOOGLE_API_KEY;
  // An explicit *_BASE_URL wins over the gateway: it names where that provider's calls go.
  return {
    workersAi: e.WORKERS_AI !== 'off',
    ...(e.AI_GATEWAY_ID && { workersAiGateway: { id: e.AI_GATEWAY_ID } }),
    ...(e.OPENAI_API_KEY && {
      openai: {
        apiKey: e.OPENAI_API_KEY,
        ...gatewayRoute(e, 'openai'),
        ...(e.OPENAI_BASE_URL && { baseUrl: e.OPENAI_BASE_URL }),
      },
    }),
    ...(geminiKey && {
      gemini: {
        apiKey: geminiKey,
        ...gatewayRoute(e, 'google-ai-studio'),
        ...(e.GEMINI_BASE_URL && { baseUrl: e.GEMINI_BASE_URL }),
      },
    }),
    ...(e.SD_WEBUI_URL && {
      sdWebui: {
        url: e.SD_WEBUI_URL,
        auth: e.SD_WEBUI_AUTH,
        accessClientId: e.SD_WEBUI_CF_ACCESS_CLIENT_ID,
        accessClientSecret: e.SD_WEBUI_CF_ACCESS_CLIENT_SECRET,
        timeoutMs: e.SD_WEBUI_TIMEOUT_SECONDS * 1000,
      },
    }),
  };
}

/** Every configured secret, for scrubbing texts that may be shown or stored. */
export function secretsOf(config: Config): string[] {
  const p = config.providers;
  return [
    ...config.tokens.keys(),
    config.signingKey,
    config.oidc?.clientSecret,
    p.openai?.apiKey,
    p.gemini?.apiKey,
    p.sdWebui?.auth,
    p.sdWebui?.auth?.split(':').slice(1).join(':'),
    p.sdWebui?.accessClientSecret,
    config.aiGatewayToken,
  ].filter((s): s is string => Boolean(s));
}
