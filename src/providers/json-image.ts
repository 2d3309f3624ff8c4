/**
 * Reads a JSON answer that carries one large base64 image beside small fields — Stable Diffusion WebUI's
 * txt2img and img2img: `{"images": ["<base64>", ...], "parameters": {...}, "info": "<json>"}` — without ever
 * holding it as text. `response.text()` then `JSON.parse` hold the body, the text, the parsed base64 string and
 * the decoded bytes at once: about 100 MB for a 2048² image (bench scenario 8) of an isolate's 128. Here the body
 * is scanned as it streams in; the first string of the top-level `imageKey` array is decoded from base64 in
 * blocks as it arrives (Buffer, native), the top-level members named in `keep` are kept as JSON (bounded), and
 * everything else (further images, `parameters`, whose img2img copy holds the input images again) is scanned
 * past. The peak is the decoded image and a block.
 */
import { decodeBase64 } from './sniff';

export interface ImageJson {
  /** The first image's bytes; undefined when the array is missing, empty or holds no string first. */
  image: Uint8Array | undefined;
  /** The members named in `keep`, parsed; absent when the answer has none. */
  fields: Map<string, unknown>;
}

/** What is wrong with an answer that is not the JSON object expected. */
export class ImageJsonError extends Error {}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SLASH = 0x2f;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/** The most a kept member may hold, and the longest key read. */
const MAX_KEPT_BYTES = 1 << 20;
const MAX_KEY_BYTES = 256;
/** Base64 characters decoded at a time (a multiple of 4). */
const BLOCK = 1 << 16;

/** Base64 text in, bytes out, in blocks; the output grows as needed (or is sized from the body's length). */
class Base64Sink {
  private pending = new Uint8Array(BLOCK);
  private used = 0;
  private out: Uint8Array;
  private written = 0;
  private started = false;
  private readonly latin1 = new TextDecoder('latin1');

  constructor(expectedBytes: number) {
    this.out = new Uint8Array(expectedBytes);
  }

  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      const n = Math.min(chunk.length - at, this.pending.length - this.used);
      this.pending.set(chunk.subarray(at, at + n), this.used);
      this.used += n;
      at += n;
      if (this.used === this.pending.length) this.flush(false);
    }
  }

  private flush(last: boolean): void {
    let text = this.latin1.decode(this.pending.subarray(0, this.used));
    if (!this.started) {
      this.started = true;
      // A data: URL's prefix, as some forks send it.
      const prefix = /^data:[^,]{0,100};base64,/.exec(text);
      if (prefix) text = text.slice(prefix[0].length);
    }
    const whole = last ? text.length : text.length - (text.length % 4);
    if (!last && whole < text.length && text.slice(whole).includes('='))
      throw new ImageJsonError('padding inside the image');
    let decoded: Uint8Array;
    try {
      decoded = decodeBase64(text.slice(0, whole));
    } catch {
      throw new ImageJsonError('the image is not valid base64');
    }
    this.write(decoded);
    const rest = text.slice(whole);
    this.used = 0;
    for (let i = 0; i < rest.length; i++) this.pending[this.used++] = rest.charCodeAt(i);
  }

  private write(bytes: Uint8Array): void {
    if (this.written + bytes.length > this.out.length) {
      const grown = new Uint8Array(Math.max(this.written + bytes.length, Math.ceil(this.out.length * 1.5)));
      grown.set(this.out.subarray(0, this.written));
      this.out = grown;
    }
    this.out.set(bytes, this.written);
    this.written += bytes.length;
  }

  end(): Uint8Array {
    this.flush(true);
    return this.out.subarray(0, this.written);
  }
}

type Mode = 'skip' | 'keep' | 'image';

/**
 * The scanner's state between chunks. `depth` counts open containers; the top-level object is depth 1.
 * At depth 1 it alternates between reading a key and reading that key's value (`mode`).
 */
class Scanner {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private expectKey = false;
  private readingKey = false;
  private key: number[] = [];
  private afterKey = false;
  private mode: Mode = 'skip';
  private inValue = false;
  private kept: Uint8Array[] = [];
  private keptBytes = 0;
  /** In the image array: 0 before its first element, 1 inside the first string, 2 after it. */
  private imageState = 0;
  private sink: Base64Sink | undefined;
  private done = false;
  private members = 0;
  readonly fields = new Map<string, unknown>();
  image: Uint8Array | undefined;

  constructor(
    private readonly imageKey: string,
    private readonly keep: readonly string[],
    private readonly expectedBytes: number,
  ) {}

  feed(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.done) {
        if (!isSpace(chunk[i]!)) throw new ImageJsonError('text after the JSON object');
        i++;
        continue;
      }
      if (this.inString) {
        i = this.inStringBytes(chunk, i);
        continue;
      }
      const b = chunk[i]!;
      const start = i;
      i++;
      if (this.depth === 0) {
        if (isSpace(b)) continue;
        if (b !== OPEN_OBJECT) throw new ImageJsonError('the answer is not a JSON object');
        this.depth = 1;
        this.expectKey = true;
        continue;
      }
      if (this.depth === 1 && !this.inValue) {
        this.topLevel(b);
        continue;
      }
      // Inside a top-level member's value.
      if (this.depth === 1 && (b === COMMA || b === CLOSE_OBJECT)) {
        this.endValue();
        if (b === COMMA) this.expectKey = true;
        else this.closeTop();
        continue;
      }
      if (this.mode === 'keep') this.keepBytes(chunk.subarray(start, start + 1));
      if (b === QUOTE) {
        this.inString = true;
        if (this.mode === 'image' && this.depth === 2 && this.imageState === 0) {
          this.imageState = 1;
          this.sink = new Base64Sink(this.expectedBytes);
        }
      } else if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
        this.depth++;
        if (this.mode === 'image' && this.depth === 2 && b !== OPEN_ARRAY)
          throw new ImageJsonError(`"${this.imageKey}" is not an array`);
      } else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
        this.depth--;
        if (this.depth < 1) throw new ImageJsonError('unbalanced brackets');
      } else if (this.mode === 'image' && this.depth === 2 && this.imageState === 0 && !isSpace(b) && b !== COMMA) {
        this.imageState = 2; // a first element that is not a string: no image
      }
    }
  }

  /** Bytes inside a string from `i`; returns where scanning continues. */
  private inStringBytes(chunk: Uint8Array, i: number): number {
    const imaging = this.mode === 'image' && this.imageState === 1 && this.depth === 2;
    if (this.escaped) {
      this.escaped = false;
      const b = chunk[i]!;
      if (this.readingKey) this.key.push(b);
      else if (imaging) {
        // JSON may escape "/" (as \/); nothing else belongs in base64.
        if (b !== SLASH) throw new ImageJsonError('an escape inside the image');
        this.sink!.push(chunk.subarray(i, i + 1));
      } else if (this.mode === 'keep') this.keepBytes(chunk.subarray(i, i + 1));
      return i + 1;
    }
    // Jump to the next quote or backslash: natively, since strings here run to megabytes.
    const quote = chunk.indexOf(QUOTE, i);
    const slash = chunk.indexOf(BACKSLASH, i);
    const stop = quote === -1 ? slash : slash === -1 ? quote : Math.min(quote, slash);
    const end = stop === -1 ? chunk.length : stop;
    const run = chunk.subarray(i, end);
    if (this.readingKey) {
      if (this.key.length + run.length > MAX_KEY_BYTES) throw new ImageJsonError('a key too long');
      for (const b of run) this.key.push(b);
    } else if (imaging) this.sink!.push(run);
    else if (this.mode === 'keep' && this.inValue) this.keepBytes(run);
    if (stop === -1) return chunk.length;
    const b = chunk[stop]!;
    if (b === BACKSLASH) {
      this.escaped = true;
      if (this.mode === 'keep' && this.inValue && !this.readingKey) this.keepBytes(chunk.subarray(stop, stop + 1));
      return stop + 1;
    }
    // The string ends.
    this.inString = false;
    if (this.readingKey) {
      this.readingKey = false;
      this.afterKey = true;
    } else if (imaging) {
      this.image = this.sink!.end();
      this.sink = undefined;
      this.imageState = 2;
    } else if (this.mode === 'keep' && this.inValue) this.keepBytes(chunk.subarray(stop, stop + 1));
    return stop + 1;
  }

  /** A byte at depth 1 outside a value: a key, its colon, or the start of its value. */
  private topLevel(b: number): void {
    if (isSpace(b)) return;
    if (this.expectKey) {
      if (b === CLOSE_OBJECT && this.members === 0) return this.closeTop();
      if (b !== QUOTE) throw new ImageJsonError('a key was expected');
      this.expectKey = false;
      this.readingKey = true;
      this.inString = true;
      this.key = [];
      return;
    }
    if (this.afterKey) {
      if (b !== COLON) throw new ImageJsonError('a colon was expected');
      this.afterKey = false;
      this.members++;
      const name = new TextDecoder().decode(new Uint8Array(this.key));
      this.mode = name === this.imageKey ? 'image' : this.keep.includes(name) ? 'keep' : 'skip';
      this.inValue = true;
      this.kept = [];
      this.keptBytes = 0;
      this.imageState = 0;
      return;
    }
    throw new ImageJsonError('a comma was expected');
  }

  private keepBytes(bytes: Uint8Array): void {
    this.keptBytes += bytes.length;
    if (this.keptBytes > MAX_KEPT_BYTES) throw new ImageJsonError('a kept field is too large');
    this.kept.push(bytes.slice());
  }

  private endValue(): void {
    if (this.mode === 'keep') {
      const whole = new Uint8Array(this.keptBytes);
      let at = 0;
      for (const piece of this.kept) {
        whole.set(piece, at);
        at += piece.length;
      }
      const name = new TextDecoder().decode(new Uint8Array(this.key));
      try {
        this.fields.set(name, JSON.parse(new TextDecoder().decode(whole)));
      } catch {
        throw new ImageJsonError(`"${name}" is not valid JSON`);
      }
    }
    this.inValue = false;
    this.mode = 'skip';
  }

  private closeTop(): void {
    this.depth = 0;
    this.done = true;
  }

  finish(): void {
    if (!this.done) throw new ImageJsonError('the answer ended early');
  }
}

/**
 * The body of `response` read as described above. Throws ImageJsonError for anything but such an object; an
 * error reading the body itself (a dropped connection, an abort) comes through as it is.
 */
export async function readImageJson(response: Response, imageKey: string, keep: readonly string[]): Promise<ImageJson> {
  if (!response.body) throw new ImageJsonError('the answer is empty');
  // The decoded image is at most three quarters of the body; a compressed body's length says nothing of it.
  const length = Number(response.headers.get('content-length'));
  const compressed = Boolean(response.headers.get('content-encoding'));
  const expected = Number.isFinite(length) && length > 0 && !compressed ? Math.floor((length * 3) / 4) : 1 << 20;
  const scanner = new Scanner(imageKey, keep, expected);
  for await (const chunk of response.body) scanner.feed(chunk);
  scanner.finish();
  return { image: scanner.image, fields: scanner.fields };
}
