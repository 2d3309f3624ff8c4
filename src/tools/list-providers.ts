/** list_providers: what this server can generate with, and how to prompt each model. */
import * as z from 'zod';
import type { RequestContext } from '../calls/context';
import { WORKING_COPY_PIXELS } from '../images/cf-images';
import { MAX_DECODE_PIXELS } from '../images/decode';
import { daysUntilShutdown, lifecycleAt } from '../providers/lifecycle';
import { largestSize } from '../providers/plan';
import type { ProviderStatus } from '../providers/status';
import type { ImageProvider, ModelInfo } from '../providers/types';
import { READ_ONLY, type ToolRegistrar } from './define';

export const name = 'list_providers';

const strings = z.array(z.string());

const CapabilitiesSchema = z
  .object({
    sizes: z
      .looseObject({ kind: z.enum(['range', 'fixed', 'aspect']) })
      .describe('range: min, max, step; fixed: sizes as [w, h]; aspect: ratios, resolutions.'),
    qualities: strings,
    formats: strings,
    backgrounds: strings,
    negative_prompt: z.boolean(),
    seed: z.boolean(),
    steps: z.object({ min: z.number().int(), max: z.number().int(), default: z.number().int() }).nullable(),
    image_input: z.boolean().describe('Can edit (edit_image).'),
    max_input_images: z.number().int(),
    mask: z.boolean(),
    strength: z.boolean(),
    max_prompt_chars: z.number().int(),
  })
  .describe('Arguments it takes: value lists ([]: fixed), booleans, or null.');

const ModelSchema = z.object({
  id: z.string(),
  label: z.string(),
  aliases: strings.describe('Other names.'),
  lifecycle: z.enum(['current', 'legacy', 'deprecated', 'retired']),
  shutdown: z.string().optional().describe('YYYY-MM-DD.'),
  replacement: z.string().optional().describe('What to use instead.'),
  // Like capabilities and style, absent for a retired model (it never runs).
  discovered: z.boolean().nullable().optional().describe('Listed by the provider now (null: no list).'),
  cost_usd: z.number().nullable().optional().describe('Per image.'),
  capabilities: CapabilitiesSchema.optional(),
  // Declared by a sentence: its four fields, each listed, would cost every session's tools/list.
  style: z
    .looseObject({})
    .optional()
    .describe('How to prompt it: strengths, prompt_grammar, good_example, bad_example.'),
});

/** The fields of providerSummary(), shared by list_providers' and get_server_info's output schemas. */
export const providerSummaryShape = {
  id: z.string(),
  label: z.string(),
  available: z.boolean(),
  reason: z.string().nullable().describe('Why not available.'),
  paid: z.boolean().describe('Needs allow_paid or a confirmation.'),
  default_model: z.string(),
};

export const config = {
  title: 'List image providers and models',
  description: 'Providers and models: availability, cost, capabilities, how to prompt, deprecations.',
  inputSchema: { refresh: z.boolean().default(false).describe('Ask the providers again.') },
  outputSchema: {
    providers: z.array(
      z.object({
        ...providerSummaryShape,
        checked_at: z.string().nullable(),
        models: z.array(ModelSchema),
      }),
    ),
    warnings: strings,
  },
  annotations: { ...READ_ONLY, openWorldHint: true },
};

/** A model as listed at `now`; a retired one only says when it went and what runs in its place. */
function modelView(model: ModelInfo, discovered: string[] | null, now: number) {
  const c = model.capabilities;
  const lifecycle = lifecycleAt(model, now);
  const named = {
    id: model.id,
    label: model.label,
    aliases: [...(model.aliases ?? [])],
    lifecycle,
    ...(model.shutdown && { shutdown: model.shutdown }),
    ...(model.replacement && { replacement: model.replacement }),
  };
  if (lifecycle === 'retired') return named;
  return {
    ...named,
    discovered: discovered ? discovered.includes(model.id) : null,
    cost_usd: model.costUsd ?? null,
    capabilities: {
      sizes: c.sizes,
      qualities: c.qualities,
      formats: c.formats,
      backgrounds: c.backgrounds,
      negative_prompt: c.negativePrompt,
      seed: c.seed,
      steps: c.steps,
      image_input: c.imageInput,
      max_input_images: c.maxInputImages,
      mask: c.mask,
      strength: c.strength,
      max_prompt_chars: c.maxPromptChars,
    },
    style: {
      strengths: [...model.style.strengths],
      prompt_grammar: model.style.promptGrammar,
      good_example: model.style.goodExample,
      bad_example: model.style.badExample,
    },
  };
}

/** How far ahead list_providers warns of a shutdown. */
export const SHUTDOWN_WARNING_DAYS = 60;

/** A warning for a deprecated model, or one that shuts down within SHUTDOWN_WARNING_DAYS; none otherwise. */
export function lifecycleWarning(providerId: string, model: ModelInfo, now: number): string | null {
  const instead = model.replacement ? `; use ${model.replacement}` : '';
  const days = daysUntilShutdown(model, now);
  if (days !== null && days <= SHUTDOWN_WARNING_DAYS)
    return `${providerId}/${model.id} shuts down on ${model.shutdown} (in ${days} day${days === 1 ? '' : 's'})${instead}.`;
  if (lifecycleAt(model, now) === 'deprecated') return `${providerId}/${model.id} is deprecated${instead}.`;
  return null;
}

/**
 * Which models can make images over the decode bound, and what then happens to previews and transforms of
 * them (images/cf-images.ts); null when none can.
 */
export function largeImageWarning(providers: Iterable<ImageProvider>, now: number, bound: boolean): string | null {
  const over = [...providers].flatMap((p) =>
    p.catalogue.flatMap((m) => {
      if (lifecycleAt(m, now) === 'retired') return [];
      const largest = largestSize(m.capabilities.sizes);
      return largest.pixels > MAX_DECODE_PIXELS ? [`${p.id}/${m.id} (${largest.label})`] : [];
    }),
  );
  if (over.length === 0) return null;
  const then = bound
    ? `previews, transforms and thumbnails of them come from a copy that Cloudflare Images scales down to ${WORKING_COPY_PIXELS} pixels`
    : 'previews and transforms of them are refused with a link to the original (IMAGE_TRANSFORMS is not bound)';
  return `Images over ${MAX_DECODE_PIXELS} pixels, which ${over.join(', ')} can make, are stored as made; ${then}.`;
}

/** What list_providers and get_server_info both say of a provider. */
export function providerSummary(
  ctx: Pick<RequestContext, 'paidProviders'>,
  provider: ImageProvider,
  status: ProviderStatus | undefined,
) {
  return {
    id: provider.id,
    label: provider.label,
    available: status?.available ?? true,
    reason: status?.reason ?? null,
    paid: ctx.paidProviders.includes(provider.id),
    default_model: provider.defaultModel,
  };
}

export const registerListProviders: ToolRegistrar = (server, ctx) => {
  server.registerTool(name, config, async ({ refresh }) => {
    const statuses = await ctx.statuses({ refresh });
    const now = ctx.now();
    const providers = [...ctx.registry.providers.values()].map((p) => {
      const status = statuses.get(p.id);
      return {
        ...providerSummary(ctx, p, status),
        checked_at: status ? new Date(status.checkedAt).toISOString() : null,
        models: p.catalogue.map((m) => modelView(m, status?.discovered ?? null, now)),
      };
    });
    const warnings = [...ctx.registry.providers.values()].flatMap((p) =>
      p.catalogue.flatMap((m) => lifecycleWarning(p.id, m, now) ?? []),
    );
    const large = largeImageWarning(ctx.registry.providers.values(), now, Boolean(ctx.variants.IMAGE_TRANSFORMS));
    if (large) warnings.push(large);
    const lines = providers.map((p) => {
      const live = p.models.filter((m) => m.lifecycle !== 'retired').map((m) => m.id);
      const retired = p.models.filter((m) => m.lifecycle === 'retired').map((m) => `${m.id} → ${m.replacement}`);
      const state = p.available ? 'available' : `unavailable (${p.reason ?? 'unknown'})`;
      return `${p.id}: ${state}; models: ${live.join(', ')}${retired.length ? `; retired names run on: ${retired.join(', ')}` : ''}`;
    });
    return {
      content: [{ type: 'text', text: [...lines, ...warnings].join('\n') }],
      structuredContent: { providers, warnings },
    };
  });
};
