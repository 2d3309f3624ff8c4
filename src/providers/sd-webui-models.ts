/**
 * The Stable Diffusion WebUI's wire format (A1111, Forge and reForge share modules/api/models.py): the
 * txt2img and img2img bodies built from a planned request, and zod schemas for what comes back. Pure: no I/O.
 */
import * as z from 'zod';
import { CURRENT_CHECKPOINT, type SdPreset } from './sd-webui-presets';
import { encodeBase64 } from './sniff';
import type { GenerationRequest } from './types';

export function txt2imgBody(request: GenerationRequest, preset: SdPreset): Record<string, unknown> {
  return {
    prompt: request.prompt,
    negative_prompt: preset.negativePrompt ? (request.negativePrompt ?? '') : '',
    width: request.width,
    height: request.height,
    steps: request.steps ?? preset.steps.default,
    sampler_name: preset.sampler,
    scheduler: preset.scheduler,
    cfg_scale: preset.cfgScale,
    ...(preset.distilledCfgScale !== null && { distilled_cfg_scale: preset.distilledCfgScale }),
    seed: request.seed ?? -1,
    batch_size: 1,
    n_iter: 1,
    // Overrides are per request and restored afterwards, so other users of the WebUI keep their checkpoint.
    ...(request.model !== CURRENT_CHECKPOINT && {
      override_settings: { sd_model_checkpoint: request.model },
      override_settings_restore_afterwards: true,
    }),
  };
}

/** The WebUI's own default denoising strength for img2img. */
export const DEFAULT_DENOISING_STRENGTH = 0.75;

/**
 * The img2img body: txt2img's fields plus the source as the init image, denoising_strength, and for an
 * inpainting mask (white where to repaint) the settings of the WebUI's "Inpaint" tab: start from the
 * original pixels, soften the edge a little, paint at the whole picture's resolution.
 */
export function img2imgBody(request: GenerationRequest, preset: SdPreset): Record<string, unknown> {
  const source = request.images?.[0];
  if (!source) throw new Error('img2img needs a source image');
  return {
    ...txt2imgBody(request, preset),
    init_images: [encodeBase64(source.bytes)],
    denoising_strength: request.strength ?? DEFAULT_DENOISING_STRENGTH,
    // 0: "Just resize" the source to width x height.
    resize_mode: 0,
    ...(request.mask && {
      mask: encodeBase64(request.mask.opaque.bytes),
      mask_blur: 4,
      inpainting_fill: 1,
      inpaint_full_res: false,
      inpainting_mask_invert: 0,
    }),
  };
}

export const Txt2ImgResponse = z.object({
  images: z.array(z.string()).nullish(),
  parameters: z.record(z.string(), z.unknown()).optional(),
  /** Processed.js(): a JSON string, not an object. */
  info: z.string(),
});

/** The parts of Processed.js() we keep; the rest (prompts, subseeds, styles...) passes through unread. */
export const Txt2ImgInfo = z.looseObject({
  prompt: z.string().nullish(),
  seed: z.number().int().nullish(),
  all_seeds: z.array(z.number().int()).nullish(),
  width: z.number().int().nullish(),
  height: z.number().int().nullish(),
  sampler_name: z.string().nullish(),
  cfg_scale: z.number().nullish(),
  steps: z.number().int().nullish(),
  sd_model_name: z.string().nullish(),
  sd_model_hash: z.string().nullish(),
  infotexts: z.array(z.string()).nullish(),
  version: z.string().nullish(),
});
export type Txt2ImgInfo = z.infer<typeof Txt2ImgInfo>;

/** Lenient on purpose: an unreadable info string must not throw away a good image, only its details. */
export function parseInfo(info: string): Txt2ImgInfo {
  try {
    const parsed = Txt2ImgInfo.safeParse(JSON.parse(info));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/** What the WebUI ran, kept with the image: the infotext is what the WebUI itself embeds in its PNGs. */
export function infoMetadata(info: Txt2ImgInfo, body: Record<string, unknown>): Record<string, string | number> {
  const entries: Array<[string, unknown]> = [
    ['checkpoint', info.sd_model_name],
    ['checkpointHash', info.sd_model_hash],
    ['sampler', info.sampler_name ?? body.sampler_name],
    ['scheduler', body.scheduler],
    ['steps', info.steps ?? body.steps],
    ['cfgScale', info.cfg_scale ?? body.cfg_scale],
    ['distilledCfgScale', body.distilled_cfg_scale],
    ['webuiVersion', info.version],
    ['infotext', info.infotexts?.[0]?.slice(0, 2000)],
  ];
  return Object.fromEntries(
    entries.filter(
      (entry): entry is [string, string | number] => typeof entry[1] === 'string' || typeof entry[1] === 'number',
    ),
  );
}

/** One entry of /sdapi/v1/sd-models; only its title is used (it is what the override setting takes). */
export const SdModelEntry = z.looseObject({
  title: z.string().min(1),
  model_name: z.string().nullish(),
  hash: z.string().nullish(),
  sha256: z.string().nullish(),
  filename: z.string().nullish(),
  config: z.string().nullish(),
});

export const ProgressResponse = z.looseObject({
  progress: z.number(),
  eta_relative: z.number().optional(),
  state: z.looseObject({ job_count: z.number().optional() }).optional(),
});

const ErrorBody = z.looseObject({
  detail: z
    .union([z.string(), z.array(z.looseObject({ loc: z.array(z.union([z.string(), z.number()])), msg: z.string() }))])
    .nullish(),
  error: z.string().nullish(),
  errors: z.string().nullish(),
});

/**
 * The useful text of an error body. FastAPI validation errors are `{detail: [{loc, msg}]}`; the WebUI's own
 * handler answers `{error, detail, body, errors}`; a tunnel or proxy answers with an HTML page.
 */
export function errorDetail(text: string): string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1];
    return (title ?? text.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim().slice(0, 300);
  }
  const parsed = ErrorBody.safeParse(json);
  if (!parsed.success) return text.slice(0, 300);
  const { detail, error, errors } = parsed.data;
  if (Array.isArray(detail)) {
    return detail.map((item) => `${item.loc.filter((part) => part !== 'body').join('.')}: ${item.msg}`).join('; ');
  }
  if (detail) return detail;
  if (errors) return error ? `${error}: ${errors}` : errors;
  return error ?? '';
}
