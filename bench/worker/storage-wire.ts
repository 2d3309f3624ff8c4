/**
 * What the bench build's remote storage (remote-storage.ts) and the storage host (bench/storage-host.ts) send
 * each other: R2 objects and options as JSON, with their Dates and Headers spelled out. A request's JSON rides
 * in the `x-storage` header (percent-encoded) when its body is image bytes.
 */

export const STORAGE_HEADER = 'x-storage';

/** JSON for the header, percent-encoded: custom metadata holds prompts, and header values are not UTF-8. */
export const toHeader = (value: unknown): string => encodeURIComponent(JSON.stringify(value));
export const fromHeader = <T>(header: string | null, fallback: T): T =>
  header === null ? fallback : (JSON.parse(decodeURIComponent(header)) as T);

export interface WireObject {
  key: string;
  version: string;
  size: number;
  etag: string;
  httpEtag: string;
  uploaded: string;
  httpMetadata: Record<string, string>;
  customMetadata: Record<string, string>;
  storageClass: string;
  range?: R2Range | undefined;
  /** Whether a body follows (a get whose condition held). */
  body?: boolean;
}

/** Headers, or a plain object whose Dates become ISO strings (marked, so they come back as Dates). */
export type WireValue = { headers: [string, string][] } | { fields: Record<string, unknown> };

const DATE = '\u0000date:';

export function toWire(value: Headers | object | undefined): WireValue | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Headers) return { headers: [...value.entries()] };
  const fields = Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, v instanceof Date ? `${DATE}${v.toISOString()}` : v]),
  );
  return { fields };
}

export function fromWire(value: WireValue | undefined): Headers | Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if ('headers' in value) return new Headers(value.headers);
  return Object.fromEntries(
    Object.entries(value.fields).map(([k, v]) => [
      k,
      typeof v === 'string' && v.startsWith(DATE) ? new Date(v.slice(DATE.length)) : v,
    ]),
  );
}

export function wireObject(object: R2Object, body?: boolean): WireObject {
  const { cacheExpiry, ...http } = object.httpMetadata ?? {};
  const httpMetadata: Record<string, string> = Object.fromEntries(
    Object.entries(http).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
  if (cacheExpiry) httpMetadata.cacheExpiry = cacheExpiry.toISOString();
  return {
    key: object.key,
    version: object.version,
    size: object.size,
    etag: object.etag,
    httpEtag: object.httpEtag,
    uploaded: object.uploaded.toISOString(),
    httpMetadata,
    customMetadata: object.customMetadata ?? {},
    storageClass: object.storageClass,
    range: object.range,
    ...(body !== undefined && { body }),
  };
}
