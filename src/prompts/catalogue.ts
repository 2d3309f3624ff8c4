/** What the prompts say about this deployment's providers and models, and completions for model names. */
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';
import type { RequestContext } from '../calls/context';
import { AppError } from '../errors';
import { usableAt } from '../providers/lifecycle';
import type { ModelInfo } from '../providers/types';

/** Model ids and aliases of the configured providers starting with `prefix`, ids first. */
export function modelNames(ctx: Pick<RequestContext, 'registry'>, prefix: string): string[] {
  const wanted = prefix.trim().toLowerCase();
  const models = [...ctx.registry.providers.values()].flatMap((p) => p.catalogue);
  const names = [...models.map((m) => m.id), ...models.flatMap((m) => m.aliases ?? [])];
  return [...new Set(names)].filter((n) => n.toLowerCase().startsWith(wanted));
}

function capabilities(model: ModelInfo): string {
  const c = model.capabilities;
  const can = [
    c.negativePrompt && 'negative prompt',
    c.seed && 'seed',
    c.imageInput && `edits (${c.maxInputImages} image${c.maxInputImages === 1 ? '' : 's'}${c.mask ? ', mask' : ''})`,
    c.backgrounds.includes('transparent') && 'transparent background',
  ].filter(Boolean);
  return can.length ? can.join(', ') : 'text to image only';
}

/** One line per model of every configured provider: availability, cost, prompt grammar, strengths, abilities. */
export async function providerSummary(ctx: Pick<RequestContext, 'registry' | 'statuses' | 'paidProviders'>) {
  const statuses = await ctx.statuses();
  return [...ctx.registry.providers.values()]
    .map((p) => {
      const status = statuses.get(p.id);
      const state = (status?.available ?? true) ? 'available' : `unavailable (${status?.reason ?? 'unknown'})`;
      const paid = ctx.paidProviders.includes(p.id) ? ', paid: needs allow_paid' : '';
      const models = p.catalogue
        .filter((m) => usableAt(m, Date.now()))
        .map((m) => {
          const cost = m.costUsd === undefined ? '' : ` ~$${m.costUsd}/image;`;
          return `  - ${m.id}${m.id === p.defaultModel ? ' (default)' : ''}:${cost} ${m.style.promptGrammar}; good at ${m.style.strengths.join(', ')}; ${capabilities(m)}`;
        });
      return [`- ${p.id} (${p.label}): ${state}${paid}`, ...models].join('\n');
    })
    .join('\n');
}

/** Errors a prompt callback raises on purpose become invalid params, with their message. */
export function promptError(error: unknown): unknown {
  return error instanceof AppError ? new ProtocolError(ProtocolErrorCode.InvalidParams, error.message) : error;
}
