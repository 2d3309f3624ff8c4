/**
 * Which providers this deployment has, picked from configuration. `auto` resolves to the best configured
 * provider; the placeholder is used only when nothing else is configured or when asked for by name.
 */
import type { Config } from '../config';
import { AppError } from '../errors';
import { PlaceholderProvider } from './placeholder';
import type { ImageProvider } from './types';

export const AUTO = 'auto';

export interface ProviderRegistry {
  readonly providers: ReadonlyMap<string, ImageProvider>;
  /** Resolves a requested provider name (or `auto`) and model to a concrete provider and model. */
  resolve(name: string, model: string | undefined): { provider: ImageProvider; model: string };
}

export function createRegistry(config: Pick<Config, 'placeholderDelayMs'>): ProviderRegistry {
  const providers = new Map<string, ImageProvider>([
    ['placeholder', new PlaceholderProvider(config.placeholderDelayMs)],
  ]);
  return {
    providers,
    resolve(name, model) {
      const provider = name === AUTO ? pickAuto(providers, model) : providers.get(name);
      if (!provider) {
        const known = [AUTO, ...providers.keys()].join(', ');
        throw new AppError('bad_request', `Unknown or unconfigured provider "${name}". Available: ${known}.`);
      }
      const chosen = model ?? provider.capabilities.defaultModel;
      if (!provider.capabilities.models.includes(chosen)) {
        throw new AppError(
          'bad_request',
          `Provider "${provider.id}" has no model "${chosen}". Its models: ${provider.capabilities.models.join(', ')}.`,
        );
      }
      return { provider, model: chosen };
    },
  };
}

function pickAuto(providers: ReadonlyMap<string, ImageProvider>, model: string | undefined): ImageProvider | undefined {
  const all = [...providers.values()];
  if (model) return all.find((p) => p.capabilities.models.includes(model));
  return all.find((p) => p.id !== 'placeholder') ?? providers.get('placeholder');
}
