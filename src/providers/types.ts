/** The provider seam: what a generator can do, and one call that turns a request into image bytes. */

export interface GenerationRequest {
  prompt: string;
  negativePrompt: string | null;
  model: string | null;
  width: number;
  height: number;
  seed: number | null;
}

export interface GeneratedImage {
  bytes: Uint8Array;
  /** The true media type of `bytes`, e.g. image/png or image/jpeg. */
  contentType: string;
  width: number;
  height: number;
  model: string;
  seed: number | null;
}

export interface ProviderCapabilities {
  models: readonly string[];
  defaultModel: string;
  minSide: number;
  maxSide: number;
  /** Width and height must be multiples of this. */
  sizeStep: number;
  negativePrompt: boolean;
  seed: boolean;
}

export interface ImageProvider {
  readonly id: string;
  readonly capabilities: ProviderCapabilities;
  generate(request: GenerationRequest, signal: AbortSignal): Promise<GeneratedImage>;
}

/**
 * A provider failure, classified once: retryable ones (rate limits, 5xx, timeouts) are retried with backoff,
 * the rest fail the job at once with `message`, which must be safe to show the user.
 */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';

  constructor(
    message: string,
    readonly retryable: boolean,
    readonly code: string = retryable ? 'provider_unavailable' : 'provider_rejected',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
