/**
 * Which providers this deployment has, built from configuration: the placeholder always, Workers AI when
 * the AI binding exists, and each API provider whose key or URL is set.
 */
import type { Config } from '../config';
import { AppError } from '../errors';
import { GeminiProvider } from './gemini';
import { canonicalProviderId } from './ids';
import { OpenAIProvider } from './openai';
import { PlaceholderProvider } from './placeholder';
import { SdWebuiProvider } from './sd-webui';
import type { ImageProvider, ModelInfo } from './types';
import { type AiBinding, WorkersAiProvider } from './workers-ai';

export interface ProviderRegistry {
  readonly providers: ReadonlyMap<string, ImageProvider>;
}

const registries = new WeakMap<object, { ai: AiBinding | undefined; registry: ProviderRegistry }>();

/**
 * The registry for a configuration, built once per isolate: providers hold only their settings and SDK
 * clients (no per-request state), and building the SDK clients on every request would cost each call.
 */
export function registryFor(config: Config, bindings: { AI?: AiBinding | undefined } = {}): ProviderRegistry {
  const cached = registries.get(config);
  if (cached && cached.ai === bindings.AI) return cached.registry;
  const registry = createRegistry(config, bindings);
  registries.set(config, { ai: bindings.AI, registry });
  return registry;
}

export function createRegistry(
  config: Pick<Config, 'placeholderDelayMs' | 'providers'>,
  bindings: { AI?: AiBinding | undefined } = {},
): ProviderRegistry {
  const providers = new Map<string, ImageProvider>();
  const add = (p: ImageProvider | undefined) => p && providers.set(p.id, p);
  if (bindings.AI && config.providers.workersAi)
    add(new WorkersAiProvider(bindings.AI, config.providers.workersAiGateway));
  const { openai, gemini, sdWebui } = config.providers;
  if (openai) add(new OpenAIProvider(openai));
  if (gemini) add(new GeminiProvider(gemini));
  if (sdWebui) add(new SdWebuiProvider(sdWebui));
  add(new PlaceholderProvider(config.placeholderDelayMs));
  return { providers };
}

/** A model by id or alias across providers (or within one). */
export function findModel(
  registry: ProviderRegistry,
  name: string,
  providerId?: string,
): { provider: ImageProvider; model: ModelInfo } | undefined {
  for (const provider of registry.providers.values()) {
    if (providerId && provider.id !== canonicalProviderId(providerId)) continue;
    const model = provider.catalogue.find((m) => m.id === name || m.aliases?.includes(name));
    if (model) return { provider, model };
  }
  return undefined;
}

export function requireProvider(registry: ProviderRegistry, name: string): ImageProvider {
  const id = canonicalProviderId(name);
  const provider = registry.providers.get(id);
  if (!provider) {
    const known = ['auto', ...registry.providers.keys()].join(', ');
    throw new AppError('bad_request', `Unknown or unconfigured provider "${id}". Available: ${known}.`);
  }
  return provider;
}
