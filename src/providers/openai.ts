/**
 * OpenAI image generation and editing through the official SDK. Request and response mapping and error classification are
 * plain functions, tested without the network; the class holds the client and joins them up. The SDK's own
 * retries are off: the job queue retries, with backoff, whatever is classified retryable.
 */
import type OpenAI from 'openai';
import type { ImageEditParamsNonStreaming, ImageGenerateParamsNonStreaming } from 'openai/resources/images';
import * as z from 'zod';
import { extensionFor } from '../images/storage';
import { wellFormedEntries } from './discovery';
import { classifyHttp, classifyThrown, gatewayErrorDetail, redact, viaGateway } from './errors';
import { type AnswerImage, answerImage, fetchTakingImagesOut, ImagesInJsonError } from './images-in-json';
import { OPENAI_DEFAULT_MODEL, OPENAI_MODELS } from './openai-models';
import { sniffImageType } from './sniff';
import {
  type GeneratedImage,
  type GenerationContext,
  type GenerationRequest,
  type ImageProvider,
  type ImageSpill,
  type InputImage,
  ProviderError,
  SpillError,
} from './types';

/**
 * The SDK, imported on first use: its module set-up runs when it is imported, and an isolate that never calls
 * OpenAI (most of them) should not pay for it at start-up. The bundle keeps it inline, evaluated at this call.
 */
const loadSdk = () => import('openai');

const LABEL = 'OpenAI';
const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
// High and max quality on the Sunburst models can take minutes.
const DEFAULT_TIMEOUT_MS = 240_000;

export interface OpenAIProviderOptions {
  apiKey: string;
  baseUrl?: string | undefined;
  /** Sent with every call: an authenticated AI Gateway's `cf-aig-authorization`. */
  headers?: Record<string, string> | undefined;
  timeoutMs?: number;
}

type Params = ImageGenerateParamsNonStreaming;
const QUALITIES = ['low', 'medium', 'high', 'xhigh', 'max', 'auto'] as const satisfies readonly NonNullable<
  Params['quality']
>[];
const FORMATS = ['png', 'jpeg', 'webp'] as const satisfies readonly NonNullable<Params['output_format']>[];
const BACKGROUNDS = ['transparent', 'opaque', 'auto'] as const satisfies readonly NonNullable<Params['background']>[];

/** `value` typed as one of `known`, when it is one and the model offers it; otherwise left to the API's default. */
function option<T extends string>(
  value: string | null,
  known: readonly T[],
  offered: readonly string[] | undefined,
): T | undefined {
  if (value === null || (offered && !offered.includes(value))) return undefined;
  return known.find((k) => k === value);
}

/** The fields generations and edits share. No response_format: GPT image models always answer in base64. */
function commonParams(request: GenerationRequest) {
  const caps = OPENAI_MODELS.find((m) => m.id === request.model)?.capabilities;
  const quality = option(request.quality, QUALITIES, caps?.qualities);
  const outputFormat = option(request.outputFormat, FORMATS, caps?.formats);
  const background = option(request.background, BACKGROUNDS, caps?.backgrounds);
  return {
    model: request.model,
    prompt: request.prompt,
    n: 1,
    size: `${request.width}x${request.height}`,
    ...(quality && { quality }),
    ...(outputFormat && { output_format: outputFormat }),
    ...(background && { background }),
  };
}

/** The body of POST /images/generations for a planned request. */
export function toImageParams(request: GenerationRequest): Params {
  return commonParams(request);
}

/**
 * The multipart body of POST /images/edits: the sources as image[] (the first one is edited), the mask in
 * OpenAI's convention (transparent where to repaint), and the same options as a generation.
 */
export async function toEditParams(request: GenerationRequest): Promise<ImageEditParamsNonStreaming> {
  const { toFile } = await loadSdk();
  const upload = (image: InputImage, name: string) =>
    toFile(image.bytes, `${name}.${extensionFor(image.contentType)}`, { type: image.contentType });
  const images = request.images ?? [];
  return {
    ...commonParams(request),
    image: await Promise.all(images.map((image, i) => upload(image, `image-${i + 1}`))),
    ...(request.mask && { mask: await upload(request.mask.alpha, 'mask') }),
  };
}

const ImagesResponse = z.object({
  data: z.array(z.object({ b64_json: z.string().min(1), revised_prompt: z.string().nullish() })).min(1),
  size: z.string().nullish(),
  quality: z.string().nullish(),
  output_format: z.string().nullish(),
  background: z.string().nullish(),
  usage: z.object({ output_tokens: z.number() }).partial().nullish(),
});

function malformed(what: string): ProviderError {
  return new ProviderError(`${LABEL} returned ${what}.`, false, 'malformed_response');
}

function parseSize(size: string | null | undefined): [number, number] | null {
  const match = /^(\d+)x(\d+)$/.exec(size ?? '');
  return match ? [Number(match[1]), Number(match[2])] : null;
}

/** Maps a generation response to an image, or throws a non-retryable malformed_response. */
export function fromImagesResponse(
  body: unknown,
  request: GenerationRequest,
  requestId?: string | null,
  taken: { images: readonly Uint8Array[]; spill?: ImageSpill | undefined } = { images: [] },
): GeneratedImage {
  const parsed = ImagesResponse.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw malformed(`no image (${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'unexpected body'})`);
  }
  const { data, size, quality, output_format, background, usage } = parsed.data;
  const image = data[0]!;
  let read: AnswerImage;
  try {
    read = answerImage(image.b64_json, taken.images, taken.spill);
  } catch {
    throw malformed('an image that is not valid base64');
  }
  const contentType = sniffImageType(read.head);
  if (!contentType) throw malformed('bytes that are not a PNG, JPEG, WebP or GIF image');
  // The API reports the size it actually made; trust that over what was asked.
  const [width, height] = parseSize(size) ?? [request.width, request.height];
  const metadata: Record<string, string | number> = {};
  if (quality) metadata.quality = quality;
  if (background) metadata.background = background;
  if (output_format) metadata.outputFormat = output_format;
  if (usage?.output_tokens !== undefined) metadata.outputTokens = usage.output_tokens;
  if (requestId) metadata.requestId = requestId;
  return {
    bytes: read.bytes,
    contentType,
    width,
    height,
    model: request.model,
    seed: null,
    revisedPrompt: image.revised_prompt ?? null,
    continuesSpill: read.continuesSpill,
    ...(Object.keys(metadata).length > 0 && { metadata }),
  };
}

/** Turns whatever the SDK threw into a classified ProviderError, with `secrets` removed from its message. */
export async function classifyOpenAIError(error: unknown, secrets: readonly string[]): Promise<ProviderError> {
  const { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } = await loadSdk();
  // The transport errors are APIErrors without a status, so they are told apart first.
  if (error instanceof APIConnectionTimeoutError || error instanceof APIUserAbortError) {
    return new ProviderError(`${LABEL} did not answer in time.`, true, 'timeout', { cause: error });
  }
  if (error instanceof APIConnectionError) {
    return new ProviderError(
      `Could not reach ${LABEL}: ${redact(error.message, secrets)}`,
      true,
      'provider_unreachable',
    );
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    // The SDK keeps the body's `error` field: an array when AI Gateway itself answered.
    const gateway = gatewayErrorDetail({ success: false, error: error.error });
    if (Array.isArray(error.error) && gateway) return classifyHttp(viaGateway(LABEL), error.status, gateway, secrets);
    const body = error.error as { message?: unknown } | undefined;
    const message = typeof body?.message === 'string' ? body.message : error.message;
    // The code names the cause (invalid_api_key, moderation_blocked, content_policy_violation, ...);
    // classifyHttp recognises a content-policy refusal by it.
    return classifyHttp(LABEL, error.status, error.code ? `${message} [${error.code}]` : message, secrets);
  }
  return classifyThrown(LABEL, error, secrets);
}

const ModelEntry = z.looseObject({ id: z.string().min(1), shutdown_date: z.string().nullish() });
const IMAGE_MODEL = /^(gpt-image-|chatgpt-image-|dall-e-)/;

/** The image models in a GET /models listing that have not shut down by `now`. */
export function imageModelIds(models: unknown, now: number): string[] {
  return wellFormedEntries(LABEL, models, ModelEntry, 'the model list')
    .filter((m) => IMAGE_MODEL.test(m.id) && !(m.shutdown_date && Date.parse(m.shutdown_date) <= now))
    .map((m) => m.id);
}

export class OpenAIProvider implements ImageProvider {
  readonly id = 'openai';
  readonly label = LABEL;
  readonly catalogue = OPENAI_MODELS;
  readonly defaultModel = OPENAI_DEFAULT_MODEL;
  readonly timeoutMs: number;
  private readonly options: OpenAIProviderOptions;
  private readonly secrets: readonly string[];
  private sdkClient?: Promise<OpenAI>;

  constructor(options: OpenAIProviderOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.options = options;
    this.secrets = [options.apiKey, ...Object.values(options.headers ?? {})];
  }

  private client(): Promise<OpenAI> {
    // baseURL is always given so that an OPENAI_BASE_URL in the environment is never picked up behind our back.
    this.sdkClient ??= loadSdk().then(
      ({ default: OpenAI }) =>
        new OpenAI({
          apiKey: this.options.apiKey,
          baseURL: this.options.baseUrl ?? DEFAULT_BASE_URL,
          ...(this.options.headers && { defaultHeaders: this.options.headers }),
          maxRetries: 0,
          timeout: this.timeoutMs,
        }),
    );
    return this.sdkClient;
  }

  async generate(request: GenerationRequest, ctx: GenerationContext): Promise<GeneratedImage> {
    const images: Uint8Array[] = [];
    try {
      // The SDK parses only the small rest of the answer: the b64_json image is taken out as it streams in.
      const fetch = fetchTakingImagesOut(images, { imageKeys: ['b64_json'], maxImages: 1, spill: ctx.spill });
      const client = (await this.client()).withOptions({ fetch });
      const response = request.images?.length
        ? await client.images.edit(await toEditParams(request), { signal: ctx.signal })
        : await client.images.generate(toImageParams(request), { signal: ctx.signal });
      return fromImagesResponse(response, request, response._request_id, { images, spill: ctx.spill });
    } catch (error) {
      // The SDK reports what its fetch threw as a connection error, with the error as its cause.
      const inner = error instanceof Error && error.cause !== undefined ? error.cause : error;
      if (inner instanceof SpillError) throw inner;
      if (inner instanceof ImagesInJsonError) throw malformed(`an answer that cannot be read: ${inner.message}`);
      throw await this.classify(error, ctx.signal);
    }
  }

  async discover(signal: AbortSignal): Promise<string[]> {
    try {
      const page = await (await this.client()).models.list({ signal });
      return imageModelIds(page.data, Date.now());
    } catch (error) {
      throw await this.classify(error, signal);
    }
  }

  private async classify(error: unknown, signal: AbortSignal): Promise<ProviderError> {
    if (error instanceof ProviderError) return error;
    // Our own deadline: the SDK reports it as a user abort; the signal's reason says why.
    if (signal.aborted) return classifyThrown(LABEL, signal.reason, this.secrets);
    return classifyOpenAIError(error, this.secrets);
  }
}
