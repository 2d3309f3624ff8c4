/**
 * Workers AI through the AI binding. Models differ in what they take (JSON or multipart form data) and what
 * they give back (base64 in JSON, a byte stream, a Response); all of it is normalised to bytes whose type is
 * sniffed, since a JPEG must never be stored as PNG.
 */
import { classifyThrown } from './errors';
import { decodeBase64, sniffImageType } from './sniff';
import {
  type GeneratedImage,
  type GenerationContext,
  type GenerationRequest,
  type ImageProvider,
  ProviderError,
} from './types';
import { WORKERS_AI_MODELS, type WorkersAiModel } from './workers-ai-models';

/** The slice of the AI binding this provider uses (a fake implements just this in tests). */
export interface AiBinding {
  run(model: string, inputs: Record<string, unknown>, options?: Record<string, unknown>): Promise<unknown>;
  models?(params?: { task?: string }): Promise<Array<{ name: string }>>;
}

/**
 * The model's inputs. Source images go where each model takes them: the SD 1.5 img2img and inpainting
 * models as arrays of byte values in JSON (`image`, `mask` white where to repaint), FLUX.2 as files
 * input_image_0..3 in its multipart form.
 */
export function buildInputs(model: WorkersAiModel, request: GenerationRequest): Record<string, unknown> {
  const fields: Record<string, string | number> = { prompt: request.prompt };
  const images = request.images ?? [];
  if (model.sized) {
    fields.width = request.width;
    fields.height = request.height;
  }
  if (request.negativePrompt && model.capabilities.negativePrompt) fields.negative_prompt = request.negativePrompt;
  if (request.seed !== null) fields.seed = request.seed;
  if (model.stepsField && model.capabilities.steps)
    fields[model.stepsField] = request.steps ?? model.capabilities.steps.default;
  if (images.length > 0 && request.strength != null && model.capabilities.strength) fields.strength = request.strength;
  if (model.input === 'json') {
    if (images.length === 0) return fields;
    return {
      ...fields,
      image: [...images[0]!.bytes],
      ...(request.mask && model.capabilities.mask && { mask: [...request.mask.opaque.bytes] }),
    };
  }
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, String(value));
  images.forEach((image, i) => {
    form.append(`input_image_${i}`, new Blob([image.bytes], { type: image.contentType }), `image-${i}`);
  });
  // Serialising through a Response gives the body stream and the multipart boundary in its content type.
  const encoded = new Response(form);
  return { multipart: { body: encoded.body, contentType: encoded.headers.get('content-type') } };
}

/** Bytes out of every shape Workers AI returns: Response, ReadableStream, bytes, or `{ image: base64 }`. */
export async function outputBytes(output: unknown): Promise<Uint8Array> {
  if (output instanceof Response) return new Uint8Array(await output.arrayBuffer());
  if (output instanceof ReadableStream) return new Uint8Array(await new Response(output).arrayBuffer());
  if (output instanceof Uint8Array) return output;
  if (output instanceof ArrayBuffer) return new Uint8Array(output);
  if (output && typeof output === 'object' && 'image' in output && typeof output.image === 'string') {
    return decodeBase64(output.image);
  }
  throw new ProviderError('Workers AI returned no image.', false, 'malformed_response');
}

/** Workers AI reports failures as errors whose text carries the cause; sort them once here. */
export function classifyAiError(error: unknown): ProviderError {
  const message = error instanceof Error ? error.message : String(error);
  if (/run remotely/i.test(message)) {
    return new ProviderError(
      'Workers AI is not available in local mode (the AI binding needs a Cloudflare account: use `wrangler dev --remote` or deploy).',
      false,
      // Not a passing outage: nothing will work here, so discovery marks the provider down (status.ts).
      'provider_unusable',
    );
  }
  if (/nsfw|unsafe|content polic/i.test(message)) {
    return new ProviderError(
      `Workers AI refused the prompt: ${message}. Rephrase the prompt.`,
      false,
      'content_policy',
    );
  }
  if (
    /capacity|rate limit|too many|429|overloaded|temporar|timeout|timed out|upstream|internal|5\d\d\b|3040|3043/i.test(
      message,
    )
  ) {
    return new ProviderError(`Workers AI is busy or failed temporarily: ${message}`, true, 'provider_unavailable');
  }
  if (/invalid|required|must be|schema|type/i.test(message)) {
    return new ProviderError(`Workers AI rejected the input: ${message}`, false, 'provider_rejected');
  }
  return classifyThrown('Workers AI', error);
}

export class WorkersAiProvider implements ImageProvider {
  readonly id = 'workers-ai';
  readonly label = 'Cloudflare Workers AI';
  readonly catalogue = WORKERS_AI_MODELS;
  readonly defaultModel = '@cf/black-forest-labs/flux-1-schnell';
  readonly timeoutMs = 120_000;

  constructor(
    private readonly ai: AiBinding,
    /** Runs every call through this AI Gateway (the binding's `gateway` option, AI_GATEWAY_ID). */
    private readonly gateway?: { id: string } | undefined,
  ) {}

  async discover(): Promise<string[]> {
    if (!this.ai.models) return WORKERS_AI_MODELS.map((m) => m.id);
    try {
      const models = await this.ai.models({ task: 'Text-to-Image' });
      return models.map((m) => m.name);
    } catch (error) {
      throw classifyAiError(error);
    }
  }

  async generate(request: GenerationRequest, ctx: GenerationContext): Promise<GeneratedImage> {
    const model = WORKERS_AI_MODELS.find((m) => m.id === request.model);
    if (!model) throw new ProviderError(`Workers AI has no model ${request.model}.`, false, 'model_not_found');
    let output: unknown;
    try {
      output = await this.ai.run(model.id, buildInputs(model, request), {
        signal: ctx.signal,
        ...(this.gateway && { gateway: this.gateway }),
      });
    } catch (error) {
      throw classifyAiError(error);
    }
    const bytes = await outputBytes(output);
    const contentType = sniffImageType(bytes);
    if (!contentType)
      throw new ProviderError('Workers AI returned bytes that are not an image.', false, 'malformed_response');
    return { bytes, contentType, width: request.width, height: request.height, model: model.id, seed: request.seed };
  }
}
