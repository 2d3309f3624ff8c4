/**
 * Reads a provider's JSON answer whose images are base64 strings — SD WebUI's `images`, Gemini's
 * `inlineData.data`, OpenAI's `b64_json` — without ever holding the answer as text. `response.text()` then `JSON.parse` hold the body,
 * its text, the parsed string and then the decoded bytes at once: about five times the image (bench scenario 8:
 * 98 MB for a 2048² SD WebUI image and 346 MB for a 4K Gemini one, of an isolate's 128 MB).
 *
 * Here the body is read into one reused 64 KiB buffer (a BYOB reader, so the chunks leave no garbage), and every
 * string longer than `inlineLimit` is taken out of the text as it streams: decoded from base64 straight into a
 * buffer that grows in place when the key it belongs to is one of `imageKeys`, skipped when it is not (an
 * img2img answer repeats its inputs under `parameters`). In the text left behind such a string becomes a
 * reference, so the small rest is parsed as usual — by JSON.parse, or by an SDK — and `answerImage` turns a
 * string of it back into the image. The peak is the decoded image and a few blocks — or, given a spill (the
 * consumer's R2 multipart upload), two parts of it: whole parts are handed on while the body is still arriving.
 */

import { decodeBase64 } from './sniff';
import { type ImageSpill, SpillError } from './types';

/** What is wrong with an answer whose image strings cannot be read. */
export class ImagesInJsonError extends Error {
  override readonly name = 'ImagesInJsonError';
}

export interface ImagesInJsonOptions {
  /** Keys whose large string values (or the large strings in their arrays) are images. */
  imageKeys: readonly string[];
  /** At most this many images are decoded; later ones are skipped like any other large string. */
  maxImages?: number;
  /** Keys whose strings stay in the text whatever their length (up to `maxText`). */
  keepKeys?: readonly string[];
  /** Strings up to this many bytes stay in the text (default 64 KiB). */
  inlineLimit?: number;
  /** The most the text left behind may hold (default 1 MiB). */
  maxText?: number;
  /**
   * Where the first image goes in parts once it outgrows two of them; it then comes back as the bytes after
   * the parts written.
   */
  spill?: ImageSpill | undefined;
}

export interface ImagesInJson {
  /** The answer as JSON text, each large string replaced by a reference. */
  text: string;
  /** The decoded images, in the order they came. */
  images: Uint8Array[];
}

/** What a skipped string (over the limit, not an image) reads as in the text left behind. */
export const OMITTED = '\u0000omitted';
const REFERENCE = '\u0000image:';
const encodeReference = (index: number) => `\\u0000image:${index}`;
const ENCODED_OMITTED = '\\u0000omitted';

/** Which image a string from `text` refers to; null when it is an ordinary string (or a skipped one). */
function imageIndex(value: string): number | null {
  return value.startsWith(REFERENCE) ? Number(value.slice(REFERENCE.length)) : null;
}

/** The image a string from `text` refers to; null when it is an ordinary string (or a skipped one). */
export function imageFor(value: string, images: readonly Uint8Array[]): Uint8Array | null {
  const index = imageIndex(value);
  return index === null ? null : (images[index] ?? null);
}

/** An image of an answer: its bytes, and the first bytes of the whole image (its header, for type and size). */
export interface AnswerImage {
  /** The image; or, when `continuesSpill`, what came after the parts the spill took. */
  bytes: Uint8Array;
  head: Uint8Array;
  continuesSpill: boolean;
}

/**
 * The image a string of the answer stands for: taken out (a reference) or short enough to stay in the text (then
 * decoded here; throws when it is not base64). Parts went to the spill from the answer's first image taken out;
 * when that is this one, its bytes continue the spill and its header is the spill's.
 */
export function answerImage(value: string, images: readonly Uint8Array[], spill: ImageSpill | undefined): AnswerImage {
  const bytes = imageFor(value, images) ?? decodeBase64(value);
  const continuesSpill = Boolean(spill?.written) && imageIndex(value) === 0;
  return { bytes, head: continuesSpill ? spill!.head! : bytes, continuesSpill };
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const SLASH = 0x2f;
const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
const MAX_KEY_BYTES = 256;
const READ_BLOCK = 1 << 16;

/** The largest image (or text) taken in: a 4K PNG of noise is 50 MB. */
const MAX_IMAGE_BYTES = 256 << 20;

/**
 * Bytes in one resizable ArrayBuffer (ES2024), which grows in place: V8 reserves its address space up front and
 * commits pages as they are used, so growing copies nothing. An answer's length is seldom known (providers send
 * it chunked, or compressed): for a 12.6 MB image, a fixed buffer grown by half again peaked at 53 MB in a
 * measure (the old copies wait for a collection), this at 25 MB, and a buffer of exactly the right size at 21 MB.
 * https://developer.mozilla.org/docs/Web/JavaScript/Reference/Global_Objects/ArrayBuffer/resize (TypeScript's
 * lib.es2024.arraybuffer.d.ts declares it; workerd's V8 has it).
 */
class GrowingBytes {
  private readonly buffer: ArrayBuffer;
  data: Uint8Array;
  length = 0;

  constructor(expected: number) {
    this.buffer = new ArrayBuffer(Math.min(expected, MAX_IMAGE_BYTES), { maxByteLength: MAX_IMAGE_BYTES });
    this.data = new Uint8Array(this.buffer);
  }

  reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.buffer.byteLength) return;
    if (needed > MAX_IMAGE_BYTES) throw new ImagesInJsonError(`an answer holds over ${MAX_IMAGE_BYTES >> 20} MiB`);
    this.buffer.resize(Math.min(MAX_IMAGE_BYTES, Math.max(needed, this.buffer.byteLength * 2)));
  }

  push(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.data.set(bytes, this.length);
    this.length += bytes.length;
  }

  pushText(text: string): void {
    this.push(new TextEncoder().encode(text));
  }

  view(): Uint8Array {
    return this.data.subarray(0, this.length);
  }

  /** Drops the first `n` bytes, moving the rest to the front. */
  shift(n: number): void {
    this.data.copyWithin(0, n, this.length);
    this.length -= n;
  }

  /** The bytes written; the pages reserved beyond them are given back. */
  done(): Uint8Array {
    this.buffer.resize(this.length);
    return new Uint8Array(this.buffer, 0, this.length);
  }
}

/** Base64 alphabet (RFC 4648 §4) values by character code; the rest are markers. */
const INVALID = 255;
const PAD = 254;
const SKIP = 253;
const ALPHABET = new Uint8Array(256).fill(INVALID);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries())
  ALPHABET[c.charCodeAt(0)] = i;
ALPHABET[0x3d] = PAD;
for (const space of [0x20, 0x0a, 0x0d, 0x09]) ALPHABET[space] = SKIP;

/**
 * Base64 bytes in, decoded bytes out, as they arrive; a 4-character group split between blocks waits for the
 * next. Decoded here from bytes to bytes: native decoders (atob, Buffer, setFromBase64) take strings, and with a
 * string for every block a Worker peaked at 55 MB in a measure on a 16.8 MB answer, against 25 MB for this
 * loop over the same body.
 */
class Base64Sink {
  private readonly out: GrowingBytes;
  /** The group being read: its characters' values so far, and how many. */
  private group = 0;
  private count = 0;
  /** Padding seen: the image has ended, and only more padding may follow. */
  private padded = false;

  constructor(expectedBytes: number) {
    this.out = new GrowingBytes(expectedBytes);
  }

  push(base64: Uint8Array): void {
    const out = this.out;
    out.reserve(Math.ceil(((base64.length + this.count) * 3) / 4) + 3);
    const bytes = out.data;
    let w = out.length;
    let i = 0;
    const n = base64.length;
    while (i < n) {
      // Whole groups of four ordinary characters, the bulk of any image.
      if (this.count === 0 && !this.padded) {
        while (i + 3 < n) {
          const a = ALPHABET[base64[i]!]!;
          const b = ALPHABET[base64[i + 1]!]!;
          const c = ALPHABET[base64[i + 2]!]!;
          const d = ALPHABET[base64[i + 3]!]!;
          if ((a | b | c | d) > 63) break;
          const v = (a << 18) | (b << 12) | (c << 6) | d;
          bytes[w] = v >>> 16;
          bytes[w + 1] = (v >>> 8) & 0xff;
          bytes[w + 2] = v & 0xff;
          w += 3;
          i += 4;
        }
        if (i >= n) break;
      }
      // One character at a time: a group split between blocks, padding, white space.
      out.length = w;
      this.step(base64[i++]!);
      w = out.length;
    }
    out.length = w;
  }

  private step(char: number): void {
    const value = ALPHABET[char]!;
    if (value === SKIP) return;
    if (value === INVALID) throw new ImagesInJsonError('an image is not valid base64');
    if (value === PAD) {
      if (this.count < 2 && !this.padded) throw new ImagesInJsonError('an image is not valid base64');
      if (!this.padded) this.finishGroup();
      this.padded = true;
      return;
    }
    if (this.padded) throw new ImagesInJsonError('an image goes on after its padding');
    this.group = (this.group << 6) | value;
    if (++this.count === 4) {
      const bytes = this.out.data;
      const w = this.out.length;
      bytes[w] = this.group >>> 16;
      bytes[w + 1] = (this.group >>> 8) & 0xff;
      bytes[w + 2] = this.group & 0xff;
      this.out.length = w + 3;
      this.group = 0;
      this.count = 0;
    }
  }

  /** The last group of two or three characters: one or two bytes. */
  private finishGroup(): void {
    if (this.count === 0) return;
    if (this.count === 1) throw new ImagesInJsonError('an image is not valid base64');
    const bytes = this.out.data;
    const w = this.out.length;
    const v = this.group << (6 * (4 - this.count));
    bytes[w] = v >>> 16;
    if (this.count === 3) bytes[w + 1] = (v >>> 8) & 0xff;
    this.out.length = w + this.count - 1;
    this.count = 0;
  }

  /** How many decoded bytes are held. */
  get held(): number {
    return this.out.length;
  }

  /** The first `n` bytes held, to hand on before `drop(n)`. */
  first(n: number): Uint8Array {
    return this.out.data.subarray(0, n);
  }

  drop(n: number): void {
    this.out.shift(n);
  }

  end(): Uint8Array {
    if (!this.padded) this.finishGroup();
    return this.out.done();
  }
}

/** What becomes of the current string: kept in the text (null: so far; 'kept': for good), decoded, or skipped. */
type Large = 'image' | 'omit' | 'kept' | null;

/** The scanner between chunks: only strings, escapes and keys are tracked, not the structure. */
class Scanner {
  private readonly text = new GrowingBytes(16 << 10);
  private inString = false;
  private escaped = false;
  /** Where the current string's content starts in `text`. */
  private stringStart = 0;
  private large: Large = null;
  private sink: Base64Sink | null = null;
  /** A string just closed, short enough to be a key: it is one if a colon follows. */
  private maybeKey: string | null = null;
  /** The last key read: the one the next value belongs to. */
  private key: string | null = null;
  readonly images: Uint8Array[] = [];
  private readonly imageKeys: ReadonlySet<string>;
  private readonly keepKeys: ReadonlySet<string>;
  private readonly maxImages: number;
  private readonly inlineLimit: number;
  private readonly maxText: number;
  private readonly spill: ImageSpill | undefined;

  constructor(
    options: ImagesInJsonOptions,
    private readonly expectedBytes: number,
  ) {
    this.imageKeys = new Set(options.imageKeys);
    this.keepKeys = new Set(options.keepKeys);
    this.maxImages = options.maxImages ?? Number.POSITIVE_INFINITY;
    this.inlineLimit = options.inlineLimit ?? 64 << 10;
    this.maxText = options.maxText ?? 1 << 20;
    this.spill = options.spill;
  }

  /** Hands whole parts of the first image to the spill while it holds two or more. */
  async spillParts(): Promise<void> {
    const { sink, spill } = this;
    if (!sink || !spill || this.images.length > 0) return;
    while (sink.held >= 2 * spill.partBytes) {
      try {
        await spill.write(sink.first(spill.partBytes));
      } catch (error) {
        throw new SpillError(error);
      }
      sink.drop(spill.partBytes);
    }
  }

  feed(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) i = this.inString ? this.stringBytes(chunk, i) : this.plainBytes(chunk, i);
    if (this.text.length > this.maxText) throw new ImagesInJsonError('the answer is larger than expected');
  }

  /** Outside strings: copied as they are, up to and including the next opening quote. */
  private plainBytes(chunk: Uint8Array, i: number): number {
    const quote = chunk.indexOf(QUOTE, i);
    const end = quote === -1 ? chunk.length : quote + 1;
    if (this.maybeKey !== null) {
      for (let j = i; j < end; j++) {
        const b = chunk[j]!;
        if (isSpace(b)) continue;
        if (b === COLON) this.key = this.maybeKey;
        this.maybeKey = null;
        break;
      }
    }
    this.text.push(chunk.subarray(i, end));
    if (quote !== -1) {
      this.inString = true;
      this.stringStart = this.text.length;
      this.large = null;
    }
    return end;
  }

  /** Inside a string: kept in the text while short, then decoded or skipped. */
  private stringBytes(chunk: Uint8Array, i: number): number {
    if (this.escaped) {
      this.escaped = false;
      if (this.large === 'image') this.imageEscape(chunk[i]!);
      else if (this.large !== 'omit') this.text.push(chunk.subarray(i, i + 1));
      return i + 1;
    }
    const quote = chunk.indexOf(QUOTE, i);
    const backslash = chunk.indexOf(BACKSLASH, i);
    const stop = quote === -1 ? backslash : backslash === -1 ? quote : Math.min(quote, backslash);
    const end = stop === -1 ? chunk.length : stop;
    if (this.large === 'image') this.sink!.push(chunk.subarray(i, end));
    else if (this.large === 'kept') this.text.push(chunk.subarray(i, end));
    else if (this.large === null) {
      this.text.push(chunk.subarray(i, end));
      if (this.text.length - this.stringStart > this.inlineLimit) this.takeOut();
    }
    if (stop === -1) return chunk.length;
    if (chunk[stop] === BACKSLASH) {
      this.escaped = true;
      if (this.large !== 'image' && this.large !== 'omit') this.text.push(chunk.subarray(stop, stop + 1));
      return stop + 1;
    }
    this.closeString();
    return stop + 1;
  }

  /** JSON may escape "/" in base64 (as \/), and base64 wrapped in lines carries escaped line breaks. */
  private imageEscape(b: number): void {
    if (b === SLASH) this.sink!.push(new Uint8Array([SLASH]));
    else if (b !== 0x6e && b !== 0x72) throw new ImagesInJsonError('an image holds an escape base64 has no use for');
  }

  /** The current string has grown past the inline limit: out of the text with it. */
  private takeOut(): void {
    if (this.key !== null && this.keepKeys.has(this.key)) {
      this.large = 'kept';
      return;
    }
    const sofar = this.text.data.slice(this.stringStart, this.text.length);
    this.text.length = this.stringStart;
    const isImage = this.key !== null && this.imageKeys.has(this.key) && this.images.length < this.maxImages;
    if (!isImage) {
      this.large = 'omit';
      return;
    }
    this.large = 'image';
    // Sized from the body's length, less what earlier images took of it.
    const taken = this.images.reduce((sum, image) => sum + image.length, 0);
    let expected = Math.max(this.inlineLimit, this.expectedBytes - taken);
    if (this.spill && this.images.length === 0) expected = 2 * this.spill.partBytes + READ_BLOCK;
    this.sink = new Base64Sink(expected);
    // The part kept so far may hold escapes; replay it through the same rules.
    let from = 0;
    for (let j = 0; j < sofar.length; j++) {
      if (sofar[j] !== BACKSLASH) continue;
      this.sink.push(sofar.subarray(from, j));
      this.imageEscape(sofar[++j]!);
      from = j + 1;
    }
    this.sink.push(sofar.subarray(from));
  }

  private closeString(): void {
    this.inString = false;
    if (this.large === 'image') {
      this.text.pushText(encodeReference(this.images.length));
      this.images.push(this.sink!.end());
      this.sink = null;
    } else if (this.large === 'omit') this.text.pushText(ENCODED_OMITTED);
    const content = this.text.length - this.stringStart;
    // A string that cannot be one of the keys looked for still ends the last key's reign if a colon follows.
    this.maybeKey =
      this.large === null && content <= MAX_KEY_BYTES
        ? new TextDecoder().decode(this.text.data.subarray(this.stringStart, this.text.length))
        : '';
    this.text.push(new Uint8Array([QUOTE]));
    this.large = null;
  }

  finish(): ImagesInJson {
    if (this.inString) throw new ImagesInJsonError('the answer ended inside a string');
    return { text: new TextDecoder().decode(this.text.view()), images: this.images };
  }
}

/** The body's chunks, read into one reused buffer where the stream allows it (workerd's bodies do). */
async function* blocksOf(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  let reader: ReadableStreamBYOBReader;
  try {
    reader = body.getReader({ mode: 'byob' });
  } catch {
    yield* body;
    return;
  }
  let buffer = new ArrayBuffer(READ_BLOCK);
  let finished = false;
  try {
    for (;;) {
      const { value, done } = await reader.read(new Uint8Array(buffer));
      if (done || !value) break;
      yield value;
      buffer = value.buffer;
    }
    finished = true;
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/**
 * The answer in `response` read as described above. Throws ImagesInJsonError when an image is not base64 or the
 * rest outgrows `maxText`; whether the text is valid JSON is for its parser to say. An error reading the body
 * (a dropped connection, an abort) comes through as it is.
 */
export async function readImagesInJson(response: Response, options: ImagesInJsonOptions): Promise<ImagesInJson> {
  if (!response.body) return { text: '', images: [] };
  // The decoded image is at most three quarters of a plain body; otherwise the output grows as it must.
  const length = Number(response.headers.get('content-length'));
  const plain = !response.headers.get('content-encoding');
  const expected = plain && Number.isFinite(length) && length > 0 ? Math.ceil((length * 3) / 4) : 1 << 20;
  const scanner = new Scanner(options, expected);
  for await (const block of blocksOf(response.body)) {
    scanner.feed(block);
    await scanner.spillParts();
  }
  return scanner.finish();
}

/**
 * A fetch for a provider's SDK (@google/genai's HttpOptions.fetch, openai's `fetch` option) that takes the images
 * out of a successful JSON answer as it streams in, into `images`, and hands the SDK the small rest to parse.
 * Answers that are not a success pass through untouched, for the SDK's own error handling. Throws
 * ImagesInJsonError or SpillError as they come, which an SDK may wrap (openai's APIConnectionError carries it as
 * its cause).
 */
export function fetchTakingImagesOut(
  images: Uint8Array[],
  options: ImagesInJsonOptions,
): (input: RequestInfo | URL, init?: RequestInit) => Promise<Response> {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (!response.ok || !response.body) return response;
    const read = await readImagesInJson(response, options);
    images.push(...read.images);
    const headers = new Headers(response.headers);
    headers.delete('content-length');
    headers.delete('content-encoding');
    return new Response(read.text, { status: response.status, statusText: response.statusText, headers });
  };
}
