/**
 * Provider ids as people and other servers spell them. Ours are kebab-case (`sd-webui`, `workers-ai`); the
 * Python image server and many prompts say `sd_webui`, `SD-WebUI` or `automatic1111`. Every place that takes
 * a provider id from outside (tool arguments, styles, DEFAULT_PROVIDER, PAID_PROVIDERS) reads it through
 * `canonicalProviderId`.
 */

export const PROVIDER_IDS = ['workers-ai', 'openai', 'gemini', 'sd-webui', 'placeholder'] as const;

/** Other names for a provider, after case and separators are normalised. */
const ALIASES: Readonly<Record<string, string>> = {
  workersai: 'workers-ai',
  cloudflare: 'workers-ai',
  'cloudflare-workers-ai': 'workers-ai',
  'open-ai': 'openai',
  'dall-e': 'openai',
  google: 'gemini',
  'google-gemini': 'gemini',
  sdwebui: 'sd-webui',
  'stable-diffusion-webui': 'sd-webui',
  automatic1111: 'sd-webui',
  a1111: 'sd-webui',
  forge: 'sd-webui',
};

/**
 * The id for a provider name: case-insensitive, with `_`, spaces and `-` alike. A name that matches nothing
 * comes back normalised, so that the refusal names what was asked for.
 */
export function canonicalProviderId(name: string): string {
  const normal = name
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '-');
  return ALIASES[normal] ?? normal;
}
