/**
 * The provider seam: a catalogue of models (what each can do, how to prompt it) and one call that turns a
 * planned request into image bytes. Providers map to their APIs; planning, routing and retries live outside.
 */

/**
 * As the provider announced it: current; legacy (still served, superseded); deprecated (to be shut down, a date
 * often published); retired (shut down). A model with a `shutdown` date turns retired on that day by itself.
 */
export type Lifecycle = 'current' | 'legacy' | 'deprecated' | 'retired';

/** How a model takes its size: any size in a range, a fixed list, or aspect ratios (and named resolutions). */
export type SizeSupport =
  | {
      kind: 'range';
      min: number;
      max: number;
      step: number;
      maxPixels?: number /** side used when none is asked for */;
      default?: number;
    }
  | { kind: 'fixed'; sizes: ReadonlyArray<readonly [number, number]> }
  | { kind: 'aspect'; ratios: readonly string[]; resolutions?: readonly string[] };

export interface ModelCapabilities {
  sizes: SizeSupport;
  /** Quality levels the API accepts; empty when it has none. */
  qualities: readonly string[];
  /** Output formats the caller may ask for; empty when the format is fixed. */
  formats: readonly string[];
  /** Background options (e.g. transparent); empty when unsupported. */
  backgrounds: readonly string[];
  negativePrompt: boolean;
  seed: boolean;
  steps: { min: number; max: number; default: number } | null;
  /** Accepts input images (edits, references); used by image-to-image. */
  imageInput: boolean;
  maxInputImages: number;
  /** Takes a mask of the areas of the first input image to repaint. */
  mask: boolean;
  /** Takes an image-to-image strength: how far the result may move from the source (0–1). */
  strength: boolean;
  maxPromptChars: number;
}

export interface StyleProfile {
  strengths: readonly string[];
  promptGrammar: 'natural-language' | 'tag-list';
  goodExample: string;
  badExample: string;
}

export interface ModelInfo {
  id: string;
  label: string;
  /** Other names that select this model, e.g. friendly short names. */
  aliases?: readonly string[];
  lifecycle: Lifecycle;
  /** The published shutdown day (YYYY-MM-DD, UTC), with its source cited beside it in the catalogue. */
  shutdown?: string;
  /** For legacy, deprecated or retired models: what to use instead (what a retired one runs on). */
  replacement?: string;
  capabilities: ModelCapabilities;
  style: StyleProfile;
  /** Typical cost of one image in US dollars, when the provider charges per image. */
  costUsd?: number;
}

export interface GenerationRequest {
  prompt: string;
  negativePrompt: string | null;
  model: string;
  width: number;
  height: number;
  /** For aspect-ratio models: the ratio chosen for width x height, e.g. "16:9". */
  aspectRatio: string | null;
  /** For models with named resolutions (e.g. "1K", "2K"). */
  resolution: string | null;
  seed: number | null;
  steps: number | null;
  quality: string | null;
  outputFormat: string | null;
  background: string | null;
  /** Image-to-image: the source images, the first one being edited; absent or empty for text-to-image. */
  images?: readonly InputImage[];
  /** Areas of images[0] to repaint; only for models whose capabilities take a mask. */
  mask?: EditMask | null;
  /** 0 keeps the source, 1 may replace it entirely; null for the model's default. */
  strength?: number | null;
}

export interface InputImage {
  bytes: Uint8Array;
  /** Sniffed media type, e.g. image/png. */
  contentType: string;
  width: number;
  height: number;
}

/**
 * One mask in the two conventions providers use, both PNGs of the first source's size: `opaque` is white
 * where to repaint and black elsewhere (Stable Diffusion, Workers AI); `alpha` is transparent where to
 * repaint and opaque elsewhere (OpenAI).
 */
export interface EditMask {
  opaque: InputImage;
  alpha: InputImage;
}

export interface GenerationContext {
  signal: AbortSignal;
  /** Reports progress (0–1) of a long generation; stored on the job so get_job_status can show it. */
  onProgress?: (fraction: number) => Promise<void>;
  /**
   * Where an image too large to hold may be written as it arrives (the queue consumer's is an R2 multipart
   * upload at the job's key). A provider that reads its answer as a stream hands it whole parts in order; the
   * bytes it then returns are what came after them.
   */
  spill?: ImageSpill;
}

/** Takes an image off a provider's hands in parts while the answer is still arriving. */
export interface ImageSpill {
  /** The size of every part but the last. */
  readonly partBytes: number;
  /** Bytes written so far: 0 while the image is held whole. */
  readonly written: number;
  /** The image's first bytes (its header, for its type and size) once a part is written. */
  readonly head: Uint8Array | undefined;
  /** Writes the next part, `partBytes` long; the array may be reused once this resolves. */
  write(part: Uint8Array): Promise<void>;
}

/**
 * The spill failed to store a part: a storage failure, not the provider's, which providers pass on as it is
 * and the consumer retries like any other.
 */
export class SpillError extends Error {
  override readonly name = 'SpillError';

  constructor(cause: unknown) {
    super(`Storing the image as it arrived failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
}

export interface GeneratedImage {
  bytes: Uint8Array;
  /** The true media type of `bytes` (sniffed, not assumed). */
  contentType: string;
  width: number;
  height: number;
  model: string;
  seed: number | null;
  /** The prompt as the provider rewrote it, when it does. */
  revisedPrompt?: string | null;
  /** Provider notes worth keeping, e.g. an invisible watermark. */
  metadata?: Record<string, string | number | boolean>;
  /**
   * True when `bytes` are what came after the parts written to the context's spill; otherwise they are the
   * whole image, and anything the spill holds (another image of the answer) is dropped.
   */
  continuesSpill?: boolean;
}

export interface ImageProvider {
  readonly id: string;
  readonly label: string;
  readonly catalogue: readonly ModelInfo[];
  readonly defaultModel: string;
  /** How long one generation may take before it is cut off and retried. */
  readonly timeoutMs: number;
  /** Model ids the provider's API lists right now; absent where the API has no model list. */
  discover?(signal: AbortSignal): Promise<string[]>;
  /** The catalogue for the model ids discover() found, where models are not known in advance (checkpoints). */
  withDiscovered?(ids: readonly string[]): readonly ModelInfo[];
  generate(request: GenerationRequest, ctx: GenerationContext): Promise<GeneratedImage>;
}

/**
 * A provider failure, classified once: retryable ones (rate limits, 5xx, timeouts) are retried with backoff,
 * the rest fail the job at once with `message`, which must be safe to show the user (no secrets).
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
