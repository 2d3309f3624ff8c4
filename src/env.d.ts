// Secrets and optional variables: `wrangler types` only sees the vars declared in wrangler.jsonc,
// so the ones an operator may add (see .dev.vars.example) are merged in here.
interface OptionalSettings {
  AUTH_TOKEN?: string;
  AUTH_TOKENS?: string;
  SUBJECT_SCOPES?: string;
  OIDC_ISSUER?: string;
  OIDC_CLIENT_ID?: string;
  OIDC_CLIENT_SECRET?: string;
  OIDC_ALLOW?: string;
  OIDC_TRUST_EMAIL?: string;
  ALLOW_ANONYMOUS?: string;
  ALLOWED_ORIGINS?: string;
  IMAGE_SIGNING_KEY?: string;
  IMAGE_URL_TTL_SECONDS?: string;
  PUBLIC_BASE_URL?: string;
  PUBLIC_IMAGE_BASE_URL?: string;
  MAX_BODY_BYTES?: string;
  JOB_MAX_ATTEMPTS?: string;
  JOB_STUCK_AFTER_SECONDS?: string;
  SSE_MAX_STREAM_SECONDS?: string;
  SSE_FAST_PATH?: string;
  WORKERS_AI?: string;
  OPENAI_API_KEY?: string;
  OPENAI_BASE_URL?: string;
  GEMINI_API_KEY?: string;
  GOOGLE_API_KEY?: string;
  GEMINI_BASE_URL?: string;
  SD_WEBUI_URL?: string;
  SD_WEBUI_AUTH?: string;
  SD_WEBUI_CF_ACCESS_CLIENT_ID?: string;
  SD_WEBUI_CF_ACCESS_CLIENT_SECRET?: string;
  SD_WEBUI_TIMEOUT_SECONDS?: string;
  PAID_PROVIDERS?: string;
  DEFAULT_PROVIDER?: string;
  AI_GATEWAY_ID?: string;
  AI_GATEWAY_ACCOUNT_ID?: string;
  AI_GATEWAY_TOKEN?: string;
  AI_GATEWAY_URL?: string;
  INLINE_PREVIEW?: string;
  IMAGE_RETENTION_DAYS?: string;
  RATE_LIMIT?: string;
  READ_ONLY?: string;
  DAILY_IMAGE_QUOTA?: string;
}

interface Env extends OptionalSettings {}

declare namespace Cloudflare {
  interface Env extends OptionalSettings {}
}
