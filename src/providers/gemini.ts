/**
 * Google Gemini native image generation ("Nano Banana") through @google/genai, whose web build runs in workerd.
 * One generateContent call per image; the image comes back as base64 inlineData. Mapping the request, the
 * response and the SDK's errors are plain functions, tested without a network.
 */
import type { GenerateContentParameters, GoogleGenAI } from '@google/genai';
import * as z from 'zod';
import { classifyHttp, classifyThrown, gatewayErrorDetail, redact, viaGateway } from './errors';
import { findGeminiModel, GEMINI_DEFAULT_MODEL, GEMINI_MODELS } from './gemini-models';
import { type AnswerImage, answerImage, fetchTakingImagesOut, ImagesInJsonError } from './images-in-json';
import { resolutionSize } from './plan';
import { encodeBase64, imageDimensions, sniffImageType } from './sniff';
import {
  type GeneratedImage,
  type GenerationContext,
  type GenerationRequest,
  type ImageProvider,
  type ImageSpill,
  ProviderError,
  SpillError,
} from './types';

/** The SDK, imported on first use, as for OpenAI (see src/providers/openai.ts). */
const loadSdk = () => import('@google/genai');

const NAME = 'Gemini';

export interface GeminiOptions {
  apiKey: string;
  /** The API origin, e.g. a gateway; the default is https://generativelanguage.googleapis.com. */
  baseUrl?: string | undefined;
  /** Sent with every call: an authenticated AI Gateway's `cf-aig-authorization`. */
  headers?: Record<string, string> | undefined;
  timeoutMs?: number | undefined;
}

export function buildGeminiRequest(request: GenerationRequest): GenerateContentParameters {
  const model = findGeminiModel(request.model);
  const sizes = model?.capabilities.sizes;
  // 2.5 Flash Image has a fixed size and rejects imageSize; unknown (discovered) models get it when planned.
  const takesSize = sizes ? sizes.kind === 'aspect' && Boolean(sizes.resolutions?.length) : true;
  const imageConfig = {
    ...(request.aspectRatio && { aspectRatio: request.aspectRatio }),
    ...(request.resolution && takesSize && { imageSize: request.resolution }),
  };
  // An edit sends its images as inline parts before the instruction, the order the image-editing docs use.
  const images = (request.images ?? []).map((image) => ({
    inlineData: { mimeType: image.contentType, data: encodeBase64(image.bytes) },
  }));
  return {
    model: model?.id ?? request.model,
    contents: images.length ? [{ role: 'user', parts: [...images, { text: request.prompt }] }] : request.prompt,
    // IMAGE alone: with TEXT allowed the model sometimes answers with a question instead of a picture.
    config: { responseModalities: ['IMAGE'], ...(Object.keys(imageConfig).length > 0 && { imageConfig }) },
  };
}

const Part = z.object({
  text: z.string().optional(),
  // Thinking models may return interim "thought" images; only the final ones count.
  thought: z.boolean().optional(),
  inlineData: z.object({ mimeType: z.string().optional(), data: z.string().optional() }).optional(),
});

const GeminiResponse = z.object({
  candidates: z
    .array(
      z.object({
        content: z.object({ parts: z.array(Part).optional() }).optional(),
        finishReason: z.string().optional(),
        finishMessage: z.string().optional(),
      }),
    )
    .optional(),
  promptFeedback: z
    .object({ blockReason: z.string().optional(), blockReasonMessage: z.string().optional() })
    .optional(),
  modelVersion: z.string().optional(),
  responseId: z.string().optional(),
});

/** Finish reasons that mean "refused on policy grounds" rather than "went wrong". */
const POLICY_REASONS = new Set([
  'SAFETY',
  'IMAGE_SAFETY',
  'PROHIBITED_CONTENT',
  'IMAGE_PROHIBITED_CONTENT',
  'BLOCKLIST',
  'SPII',
  'RECITATION',
  'IMAGE_RECITATION',
]);

const malformed = (message: string) => new ProviderError(message, false, 'malformed_response');

const policy = (message: string) => new ProviderError(`${message}. Rephrase the prompt.`, false, 'content_policy');

/** The size an image should have, for bytes whose header we cannot read. */
export function nominalSize(request: GenerationRequest): { width: number; height: number } {
  const match = /^(\d+):(\d+)$/.exec(request.aspectRatio ?? '');
  if (!match) return { width: request.width, height: request.height };
  const [width, height] = resolutionSize(request.resolution ?? '1K', Number(match[1]) / Number(match[2]));
  return { width, height };
}

/**
 * The image out of a generateContent answer, or the reason there is none. `images` holds what was taken out of
 * the answer as it arrived (fetchTakingImagesOut); its `data` strings refer to them.
 */
export function readGeminiImage(
  raw: unknown,
  request: GenerationRequest,
  images: readonly Uint8Array[] = [],
  spill?: ImageSpill,
): GeneratedImage {
  const parsed = GeminiResponse.safeParse(raw);
  if (!parsed.success)
    throw malformed(`${NAME} returned a response of an unexpected shape: ${parsed.error.message.slice(0, 300)}`);
  const response = parsed.data;
  const block = response.promptFeedback?.blockReason;
  if (block && block !== 'BLOCKED_REASON_UNSPECIFIED') {
    const why = response.promptFeedback?.blockReasonMessage;
    throw policy(`${NAME} blocked the prompt (${block})${why ? `: ${why}` : ''}`);
  }
  const candidate = response.candidates?.[0];
  const parts = (candidate?.content?.parts ?? []).filter((p) => !p.thought);
  const note = parts
    .map((p) => p.text?.trim())
    .filter(Boolean)
    .join('\n')
    .slice(0, 2000);
  const image = parts.findLast((p) => p.inlineData?.data);
  if (!image?.inlineData?.data) {
    const reason = candidate?.finishReason ?? 'none';
    const said = [candidate?.finishMessage, note].filter(Boolean).join(' ');
    if (POLICY_REASONS.has(reason))
      throw policy(`${NAME} refused to make this image (${reason})${said ? `: ${said}` : ''}`);
    throw malformed(
      `${NAME} returned no image (finish reason ${reason})${said ? `; it said: ${said.slice(0, 500)}` : ''}`,
    );
  }
  let taken: AnswerImage;
  try {
    // Not an interim thought image: its bytes continue the spill only when it was the first one taken out.
    taken = answerImage(image.inlineData.data, images, spill);
  } catch {
    throw malformed(`${NAME} returned image data that is not valid base64.`);
  }
  const contentType = sniffImageType(taken.head);
  if (!contentType)
    throw malformed(
      `${NAME} returned data labelled ${image.inlineData.mimeType ?? 'unlabelled'} that is not an image.`,
    );
  const { width, height } = imageDimensions(taken.head) ?? nominalSize(request);
  return {
    bytes: taken.bytes,
    contentType,
    width,
    height,
    model: findGeminiModel(request.model)?.id ?? request.model,
    seed: null,
    revisedPrompt: null,
    continuesSpill: taken.continuesSpill,
    metadata: {
      // Every Gemini image carries Google's invisible SynthID watermark.
      synthid_watermark: true,
      ...(note && { note }),
      ...(response.modelVersion && { model_version: response.modelVersion }),
      ...(response.responseId && { response_id: response.responseId }),
    },
  };
}

const ErrorBody = z.object({
  error: z.object({
    message: z.string().optional(),
    status: z.string().optional(),
    details: z.array(z.object({ reason: z.string().optional() })).optional(),
  }),
});

function parseErrorBody(text: string): z.infer<typeof ErrorBody>['error'] | undefined {
  try {
    return ErrorBody.parse(JSON.parse(text)).error;
  } catch {
    return undefined;
  }
}

/** The JSON object in an SDK error message ("got status: 401 Unauthorized. {...}"), or the whole text's. */
function jsonIn(text: string): unknown {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  try {
    return JSON.parse(text.slice(start));
  } catch {
    return undefined;
  }
}

/**
 * The SDK throws ApiError with the HTTP status and the JSON error body as its message; anything else is a
 * transport failure. A bad key is HTTP 400 with reason API_KEY_INVALID, so it is recognised by the reason.
 */
export function classifyGeminiError(error: unknown, secrets: ReadonlyArray<string | undefined>): ProviderError {
  if (
    error instanceof Error &&
    error.name === 'ApiError' &&
    typeof (error as { status?: unknown }).status === 'number'
  ) {
    const status = (error as Error & { status: number }).status;
    const gateway = gatewayErrorDetail(jsonIn(error.message));
    if (gateway) return classifyHttp(viaGateway(NAME), status, gateway, secrets);
    const body = parseErrorBody(error.message);
    if (body?.details?.some((d) => d.reason === 'API_KEY_INVALID')) {
      const said = redact(body.message ?? '', secrets);
      return new ProviderError(
        `${NAME} rejected the API key (${said || 'API_KEY_INVALID'}); check GEMINI_API_KEY.`,
        false,
        'auth_failed',
      );
    }
    const detail = body ? [body.status, body.message].filter(Boolean).join(': ') : error.message;
    return classifyHttp(NAME, status, detail, secrets);
  }
  return classifyThrown(NAME, error, secrets);
}

/** Image-generating models in a models.list answer: generateContent models named for images. */
export function imageModelIds(
  models: ReadonlyArray<{ name?: string | undefined; supportedActions?: string[] | undefined }>,
): string[] {
  return models
    .filter((m) => m.supportedActions?.includes('generateContent'))
    .map((m) => (m.name ?? '').replace(/^models\//, ''))
    .filter((id) => /image|nano-banana/.test(id));
}

export class GeminiProvider implements ImageProvider {
  readonly id = 'gemini';
  readonly label = 'Google Gemini (Nano Banana)';
  readonly catalogue = GEMINI_MODELS;
  readonly defaultModel = GEMINI_DEFAULT_MODEL;
  readonly timeoutMs: number;
  private readonly options: GeminiOptions;
  private readonly secrets: string[];
  private sdkClient?: Promise<GoogleGenAI>;

  constructor(options: GeminiOptions) {
    // Pro at 4K under load can take minutes.
    this.timeoutMs = options.timeoutMs ?? 240_000;
    this.options = options;
    this.secrets = [options.apiKey, ...Object.values(options.headers ?? {})];
  }

  private ai(): Promise<GoogleGenAI> {
    // v1beta is the version the image-generation docs use; the SDK's own default is v1.
    const { apiKey, baseUrl, headers } = this.options;
    this.sdkClient ??= loadSdk().then(
      ({ GoogleGenAI }) =>
        new GoogleGenAI({
          apiKey,
          httpOptions: { apiVersion: 'v1beta', ...(baseUrl && { baseUrl }), ...(headers && { headers }) },
        }),
    );
    return this.sdkClient;
  }

  async discover(signal: AbortSignal): Promise<string[]> {
    try {
      const models = [];
      for await (const model of await (await this.ai()).models.list({
        config: { pageSize: 1000, abortSignal: signal },
      }))
        models.push(model);
      return imageModelIds(models);
    } catch (error) {
      throw classifyGeminiError(error, this.secrets);
    }
  }

  async generate(request: GenerationRequest, ctx: GenerationContext): Promise<GeneratedImage> {
    const params = buildGeminiRequest(request);
    const images: Uint8Array[] = [];
    let response: unknown;
    try {
      response = await (await this.ai()).models.generateContent({
        ...params,
        config: {
          ...params.config,
          abortSignal: ctx.signal,
          // The SDK parses only the small rest of the answer: the images are taken out as it streams in.
          httpOptions: { fetch: fetchTakingImagesOut(images, { imageKeys: ['data'], spill: ctx.spill }) },
        },
      });
    } catch (error) {
      if (error instanceof SpillError) throw error;
      if (error instanceof ImagesInJsonError)
        throw malformed(`${NAME} returned an answer that cannot be read: ${error.message}.`);
      throw classifyGeminiError(error, this.secrets);
    }
    return readGeminiImage(response, request, images, ctx.spill);
  }
}
