/** get_server_info: what this server is, which providers it has right now, and the limits a caller meets. */
import { PROTOCOL_VERSION_META_KEY } from '@modelcontextprotocol/server';
import * as z from 'zod';
import { envelopeValue } from '../calls/envelope';
import { DEFAULT_LOG_LEVEL } from '../calls/logging';
import { RATE_LIMIT } from '../config';
import { MODERN_PROTOCOL_VERSION, PROTOCOL_VERSIONS, SERVER_INFO } from '../identity';
import { PREVIEW_LIMITS } from '../images/preview';
import { TRANSFORM_LIMITS } from '../images/transform-plan';
import { MAX_EDIT_SOURCES } from '../jobs/edit';
import { usageLine } from '../jobs/usage';
import { WAIT_DEFAULT_SECONDS, WAIT_MAX_SECONDS } from '../jobs/wait';
import { MAX_STYLES_PER_SUBJECT, MAX_TEMPLATE_CHARS } from '../styles/model';
import { READ_ONLY, type ToolRegistrar } from './define';
import { config as editConfig } from './edit-image';
import { providerSummary } from './list-providers';
import { generateArgs } from './schemas';

export const name = 'get_server_info';

const int = z.number().int();

export const config = {
  title: 'Server info',
  description: 'Version, protocol revisions, providers and limits.',
  inputSchema: {},
  outputSchema: {
    name: z.string(),
    title: z.string(),
    version: z.string(),
    protocol: z
      .object({
        request: z.string().nullable().describe("This request's."),
        latest: z.string(),
        supported: z.array(z.string()),
      })
      .describe('MCP protocol revisions.'),
    providers: z
      .array(z.looseObject({ id: z.string(), available: z.boolean(), models: int }))
      .describe('As in list_providers, with a model count.'),
    logging: z.object({ default_level: z.string() }),
    limits: z
      .object({
        max_prompt_chars: int,
        max_negative_prompt_chars: int,
        max_images_per_call: int,
        max_edit_variants: int,
        max_edit_sources: int,
        wait_default_seconds: int,
        wait_max_seconds: int,
        max_body_bytes: int,
        image_url_ttl_seconds: int,
        image_retention_days: int.describe('0: images are kept until deleted.'),
        // Small groups of integers, declared by a sentence rather than field by field (bytes in every session).
        transforms: z
          .looseObject({})
          .describe('Image variants: max_output_side, max_output_pixels, max_source_bytes, max_source_pixels.'),
        previews: z.looseObject({}).describe('default_side, min_side, max_side, max_bytes.'),
        styles: z.looseObject({}).describe('max_per_caller, max_template_chars.'),
        rate_limit: z
          .object({ requests: int, period_seconds: int })
          .nullable()
          .describe('Requests per access token per period; null: none.'),
        daily_image_quota: int.nullable().describe('Images per caller per UTC day; null: none.'),
      })
      .describe('What a caller meets.'),
  },
  annotations: READ_ONLY,
};

export const registerGetServerInfo: ToolRegistrar = (server, ctx) => {
  server.registerTool(name, config, async (_args, extra) => {
    const [statuses, usage] = await Promise.all([ctx.statuses(), ctx.usage()]);
    const providers = [...ctx.registry.providers.values()].map((p) => ({
      ...providerSummary(ctx, p, statuses.get(p.id)),
      models: p.catalogue.length,
    }));
    const c = ctx.config;
    // A 2026-07-28 request names its revision in _meta; a 2025-era one in the MCP-Protocol-Version header.
    const asked =
      envelopeValue(extra, PROTOCOL_VERSION_META_KEY) ?? extra.http?.req?.headers.get('mcp-protocol-version');
    const info = {
      ...SERVER_INFO,
      protocol: {
        request: typeof asked === 'string' ? asked : null,
        latest: MODERN_PROTOCOL_VERSION,
        supported: [...PROTOCOL_VERSIONS],
      },
      providers,
      logging: { default_level: DEFAULT_LOG_LEVEL },
      limits: {
        max_prompt_chars: generateArgs.prompt.maxLength ?? 0,
        max_negative_prompt_chars: generateArgs.negative_prompt.unwrap().maxLength ?? 0,
        max_images_per_call: generateArgs.count.unwrap().maxValue ?? 0,
        max_edit_variants: editConfig.inputSchema.count.unwrap().maxValue ?? 0,
        max_edit_sources: MAX_EDIT_SOURCES,
        wait_default_seconds: WAIT_DEFAULT_SECONDS,
        wait_max_seconds: WAIT_MAX_SECONDS,
        max_body_bytes: c.maxBodyBytes,
        image_url_ttl_seconds: c.imageUrlTtlSeconds,
        image_retention_days: c.imageRetentionDays,
        transforms: {
          max_output_side: TRANSFORM_LIMITS.maxOutputSide,
          max_output_pixels: TRANSFORM_LIMITS.maxOutputPixels,
          max_source_bytes: TRANSFORM_LIMITS.maxSourceBytes,
          max_source_pixels: TRANSFORM_LIMITS.maxSourcePixels,
        },
        previews: {
          default_side: PREVIEW_LIMITS.defaultSide,
          min_side: PREVIEW_LIMITS.minSide,
          max_side: PREVIEW_LIMITS.maxSide,
          max_bytes: PREVIEW_LIMITS.maxBytes,
        },
        styles: { max_per_caller: MAX_STYLES_PER_SUBJECT, max_template_chars: MAX_TEMPLATE_CHARS },
        rate_limit: c.rateLimit ? { requests: RATE_LIMIT.requests, period_seconds: RATE_LIMIT.periodSeconds } : null,
        daily_image_quota: c.dailyImageQuota || null,
      },
    };
    const up = providers.filter((p) => p.available).map((p) => p.id);
    const text = [
      `${info.title} (${info.name}) ${info.version}, MCP ${info.protocol.request ?? info.protocol.latest}.`,
      `Providers available: ${up.join(', ') || 'none'}; a call that names none uses ${c.defaultProvider}.`,
      `Up to ${info.limits.max_images_per_call} images per call, prompts up to ${info.limits.max_prompt_chars} characters, waits up to ${WAIT_MAX_SECONDS}s.`,
      info.limits.rate_limit
        ? `Rate limit: ${RATE_LIMIT.requests} requests per ${RATE_LIMIT.periodSeconds}s.`
        : 'No request rate limit.',
      info.limits.daily_image_quota ? `Daily quota: ${info.limits.daily_image_quota} images.` : 'No daily image quota.',
      `Your usage (get_usage): ${usageLine(usage)}.`,
    ].join('\n');
    return { content: [{ type: 'text', text }], structuredContent: info };
  });
};
