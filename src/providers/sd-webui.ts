/**
 * A self-hosted AUTOMATIC1111 / Forge / reForge Stable Diffusion WebUI (started with --api), usually reached
 * through a Cloudflare Tunnel, optionally behind --api-auth (HTTP Basic) and Cloudflare Access (service token).
 * Models are the WebUI's checkpoints; settings come from the checkpoint's family (sd-webui-presets.ts).
 */

import { log } from '../log';
import { wellFormedEntries } from './discovery';
import { classifyHttp, redact } from './errors';
import {
  type AnswerImage,
  answerImage,
  type ImagesInJson,
  ImagesInJsonError,
  readImagesInJson,
} from './images-in-json';
import {
  errorDetail,
  img2imgBody,
  infoMetadata,
  ProgressResponse,
  parseInfo,
  SdModelEntry,
  Txt2ImgResponse,
  txt2imgBody,
} from './sd-webui-models';
import {
  CURRENT_CHECKPOINT,
  catalogueFor,
  checkpointStem,
  presetFor,
  SD_WEBUI_FALLBACK_CATALOGUE,
} from './sd-webui-presets';
import { encodeBase64, imageDimensions, sniffImageType } from './sniff';
import {
  type GeneratedImage,
  type GenerationContext,
  type GenerationRequest,
  type ImageProvider,
  type ImageSpill,
  type ModelInfo,
  ProviderError,
  SpillError,
} from './types';

export interface SdWebuiOptions {
  /** The WebUI's base URL, e.g. https://sd.example.com (a Cloudflare Tunnel hostname). */
  url: string;
  /** "user:password" exactly as given to --api-auth; sent as HTTP Basic. */
  auth?: string;
  /** Cloudflare Access service token, when the tunnel's hostname is an Access application. */
  accessClientId?: string;
  accessClientSecret?: string;
  /** Default 10 minutes: a large SDXL or Flux image on a small GPU can take several. */
  timeoutMs?: number;
  /** How often to ask the WebUI for progress while generating; default 2 s. */
  progressIntervalMs?: number;
  /** Checkpoint titles from an earlier discover(); without them the catalogue is the loaded checkpoint only. */
  checkpoints?: readonly string[];
}

const LABEL = 'Stable Diffusion WebUI';

function base64Utf8(text: string): string {
  return encodeBase64(new TextEncoder().encode(text));
}

function malformed(detail: string): ProviderError {
  return new ProviderError(`${LABEL} returned something unexpected: ${detail}`, false, 'malformed_response');
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', stop);
      resolve(true);
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', stop, { once: true });
  });
}

export class SdWebuiProvider implements ImageProvider {
  readonly id = 'sd-webui';
  readonly label = LABEL;
  readonly catalogue: readonly ModelInfo[];
  readonly defaultModel = CURRENT_CHECKPOINT;
  readonly timeoutMs: number;
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly secrets: Array<string | undefined>;
  private readonly progressIntervalMs: number;

  withDiscovered(ids: readonly string[]): readonly ModelInfo[] {
    return catalogueFor(ids);
  }

  constructor(options: SdWebuiOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10 * 60_000;
    this.progressIntervalMs = options.progressIntervalMs ?? 2_000;
    this.catalogue = options.checkpoints ? catalogueFor(options.checkpoints) : SD_WEBUI_FALLBACK_CATALOGUE;
    this.headers = { accept: 'application/json' };
    this.secrets = [options.accessClientSecret];
    if (options.auth) {
      const encoded = base64Utf8(options.auth);
      this.headers.authorization = `Basic ${encoded}`;
      this.secrets.push(options.auth, options.auth.slice(options.auth.indexOf(':') + 1), encoded);
    }
    if (options.accessClientId && options.accessClientSecret) {
      this.headers['CF-Access-Client-Id'] = options.accessClientId;
      this.headers['CF-Access-Client-Secret'] = options.accessClientSecret;
    }
  }

  async discover(signal: AbortSignal): Promise<string[]> {
    const list = await this.call('GET', '/sdapi/v1/sd-models', signal);
    return wellFormedEntries(LABEL, list, SdModelEntry, 'the checkpoint list').map((model) => model.title);
  }

  async generate(request: GenerationRequest, ctx: GenerationContext): Promise<GeneratedImage> {
    const edit = Boolean(request.images?.length);
    const body = (edit ? img2imgBody : txt2imgBody)(request, presetFor(request.model));
    const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(this.timeoutMs)]);
    const done = new AbortController();
    const polling = ctx.onProgress ? this.pollProgress(ctx.onProgress, AbortSignal.any([signal, done.signal])) : null;
    let answer: { json: unknown; images: Uint8Array[] };
    try {
      answer = await this.generation(edit ? '/sdapi/v1/img2img' : '/sdapi/v1/txt2img', signal, body, ctx.spill);
    } finally {
      done.abort();
      await polling;
    }
    return this.toImage(answer, request, body, ctx.spill);
  }

  private toImage(
    answer: { json: unknown; images: Uint8Array[] },
    request: GenerationRequest,
    body: Record<string, unknown>,
    spill: ImageSpill | undefined,
  ): GeneratedImage {
    const parsed = Txt2ImgResponse.safeParse(answer.json);
    if (!parsed.success) throw malformed('the answer has no images and info');
    // Extensions may append extra images (e.g. ControlNet maps); the generated one comes first.
    const encoded = parsed.data.images?.[0];
    if (!encoded) throw malformed('no image in the answer');
    let image: AnswerImage;
    try {
      image = answerImage(encoded, answer.images, spill);
    } catch {
      throw malformed('the image is not valid base64');
    }
    const contentType = sniffImageType(image.head);
    if (!contentType) throw malformed('the image bytes are not PNG, JPEG, WebP or GIF');
    const info = parseInfo(parsed.data.info);
    // The WebUI silently falls back to the loaded checkpoint when an override names one it lacks.
    if (
      request.model !== CURRENT_CHECKPOINT &&
      info.sd_model_name &&
      info.sd_model_name !== checkpointStem(request.model)
    ) {
      throw new ProviderError(
        `${LABEL} has no checkpoint "${request.model}" (it ran "${info.sd_model_name}" instead); pick one it lists.`,
        false,
        'model_not_found',
      );
    }
    const size = imageDimensions(image.head) ?? {
      width: info.width ?? request.width,
      height: info.height ?? request.height,
    };
    return {
      bytes: image.bytes,
      contentType,
      ...size,
      model: request.model,
      seed: info.all_seeds?.[0] ?? info.seed ?? request.seed,
      revisedPrompt: info.prompt && info.prompt !== request.prompt ? info.prompt : null,
      metadata: infoMetadata(info, body),
      continuesSpill: image.continuesSpill,
    };
  }

  /** Best effort: progress is a nicety, so a failed poll is logged and the generation goes on. */
  private async pollProgress(onProgress: (fraction: number) => Promise<void>, signal: AbortSignal): Promise<void> {
    let reported = 0;
    while (await pause(this.progressIntervalMs, signal)) {
      try {
        // The endpoint reports the WebUI's current job, whoever started it; 0 means idle (or still queued).
        const parsed = ProgressResponse.safeParse(
          await this.call('GET', '/sdapi/v1/progress?skip_current_image=true', signal),
        );
        const fraction = parsed.success ? Math.min(1, parsed.data.progress) : 0;
        if (fraction > reported) {
          reported = fraction;
          await onProgress(fraction);
        }
      } catch (error) {
        if (signal.aborted) return;
        log.warn('sd-webui progress poll failed', { error: error instanceof Error ? error.message : String(error) });
      }
    }
  }

  /** GET or POST a small JSON answer. */
  private async call(method: 'GET' | 'POST', path: string, signal: AbortSignal, body?: unknown): Promise<unknown> {
    const response = await this.send(method, path, signal, body);
    const text = await this.reading(signal, () => response.text());
    try {
      return JSON.parse(text);
    } catch {
      throw this.notJson(path, response);
    }
  }

  /**
   * POST a generation and read its answer with the image taken out as it streams (images-in-json.ts): the
   * first of `images` is decoded; img2img's inputs, which `parameters` repeats, are skipped.
   */
  private async generation(
    path: string,
    signal: AbortSignal,
    body: unknown,
    spill: ImageSpill | undefined,
  ): Promise<{ json: unknown; images: Uint8Array[] }> {
    const response = await this.send('POST', path, signal, body);
    let read: ImagesInJson;
    try {
      read = await this.reading(signal, () =>
        // info carries the seed and the checkpoint that ran: kept whatever its length.
        readImagesInJson(response, { imageKeys: ['images'], maxImages: 1, keepKeys: ['info'], spill }),
      );
    } catch (error) {
      if (error instanceof ImagesInJsonError) throw malformed(error.message);
      throw error;
    }
    try {
      return { json: JSON.parse(read.text), images: read.images };
    } catch {
      throw this.notJson(path, response);
    }
  }

  private notJson(path: string, response: Response): ProviderError {
    return malformed(`${path} did not answer JSON (${response.headers.get('content-type') ?? 'no content type'})`);
  }

  /** The request sent and its status checked; the body is left to read. */
  private async send(method: 'GET' | 'POST', path: string, signal: AbortSignal, body?: unknown): Promise<Response> {
    const response = await this.reading(signal, () =>
      fetch(`${this.base}${path}`, {
        method,
        headers: body === undefined ? this.headers : { ...this.headers, 'content-type': 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal,
        // Cloudflare Access answers a missing or wrong service token with a redirect to its login page.
        redirect: 'manual',
      }),
    );
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      throw new ProviderError(
        `${LABEL} redirected to a login page (HTTP ${response.status}); if it is behind Cloudflare Access, check the service token (CF-Access-Client-Id/Secret).`,
        false,
        'auth_failed',
      );
    }
    if (!response.ok) {
      const text = await this.reading(signal, () => response.text());
      throw classifyHttp(LABEL, response.status, errorDetail(text), this.secrets);
    }
    return response;
  }

  /** Runs a step of the exchange, turning a timeout or a lost connection into a retryable failure. */
  private async reading<T>(signal: AbortSignal, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      if (error instanceof ProviderError || error instanceof ImagesInJsonError || error instanceof SpillError)
        throw error;
      if (signal.aborted)
        throw new ProviderError(`${LABEL} did not answer in time.`, true, 'timeout', { cause: signal.reason });
      // workerd rejects a refused or dropped connection with a plain Error ("Network connection lost."),
      // which classifyThrown would take for a malformed answer; no answer at all is a transport failure.
      const message = redact(error instanceof Error ? error.message : String(error), this.secrets);
      throw new ProviderError(
        `Could not reach ${LABEL} (is it and its tunnel running?): ${message}`,
        true,
        'provider_unreachable',
        { cause: error },
      );
    }
  }
}
