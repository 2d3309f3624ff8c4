/**
 * R2 and Cloudflare Images reached over HTTP in another process (the storage host, bench/storage-host.ts, in
 * its own `wrangler dev`). Locally both are simulated inside the Worker's own workerd process, so what storing
 * an image costs the simulation lands on the Worker's figures (a 3 MiB put: about 50 ms of CPU and 8–80 MB);
 * on Cloudflare both are services the isolate streams bytes to. With them in another process, scenarios 7 and
 * 8 measure what the isolate itself spends and holds. Bodies stream both ways; nothing here reads one whole.
 * D1 stays in the Worker's process: a query over HTTP costs this process about as much CPU as the simulator
 * does (0.6 against 0.7 ms a round trip, measured).
 */
import { fromHeader, STORAGE_HEADER, toHeader, toWire, type WireObject } from './storage-wire';

async function failed(response: Response, what: string): Promise<never> {
  throw new Error(`storage host, ${what}: HTTP ${response.status} ${await response.text()}`);
}

function objectOf(wire: WireObject, body?: ReadableStream<Uint8Array> | null): R2Object | R2ObjectBody {
  const httpMetadata: R2HTTPMetadata = { ...wire.httpMetadata, cacheExpiry: undefined };
  if (wire.httpMetadata.cacheExpiry) httpMetadata.cacheExpiry = new Date(wire.httpMetadata.cacheExpiry);
  const object = {
    key: wire.key,
    version: wire.version,
    size: wire.size,
    etag: wire.etag,
    httpEtag: wire.httpEtag,
    uploaded: new Date(wire.uploaded),
    httpMetadata,
    customMetadata: wire.customMetadata,
    storageClass: wire.storageClass,
    range: wire.range,
    checksums: { toJSON: () => ({}) } as R2Checksums,
    writeHttpMetadata(headers: Headers) {
      const names: [keyof R2HTTPMetadata, string][] = [
        ['contentType', 'content-type'],
        ['contentLanguage', 'content-language'],
        ['contentDisposition', 'content-disposition'],
        ['contentEncoding', 'content-encoding'],
        ['cacheControl', 'cache-control'],
      ];
      for (const [field, header] of names) {
        const value = httpMetadata[field];
        if (typeof value === 'string') headers.set(header, value);
      }
      if (httpMetadata.cacheExpiry) headers.set('expires', httpMetadata.cacheExpiry.toUTCString());
    },
  };
  if (!body) return object as unknown as R2Object;
  const response = new Response(body);
  return Object.assign(object, {
    body: response.body,
    get bodyUsed() {
      return response.bodyUsed;
    },
    arrayBuffer: () => response.arrayBuffer(),
    bytes: async () => new Uint8Array(await response.arrayBuffer()),
    text: () => response.text(),
    json: () => response.json(),
    blob: () => response.blob(),
  }) as unknown as R2ObjectBody;
}

export function remoteR2(base: string): R2Bucket {
  const call = async (path: string, request: unknown, body?: BodyInit | null): Promise<Response> => {
    const init: RequestInit =
      body === undefined
        ? { method: 'POST', body: JSON.stringify(request) }
        : { method: 'PUT', body, headers: { [STORAGE_HEADER]: toHeader(request) } };
    const response = await fetch(`${base}/r2/${path}`, init);
    if (!response.ok) await failed(response, path);
    return response;
  };
  const json = async <T>(path: string, request: unknown, body?: BodyInit | null): Promise<T> =>
    (await call(path, request, body)).json<T>();
  const objectOrNull = (wire: WireObject | null) => (wire ? objectOf(wire) : null);

  const upload = (key: string, uploadId: string): R2MultipartUpload => ({
    key,
    uploadId,
    uploadPart: (partNumber: number, value: ReadableStream | ArrayBuffer | ArrayBufferView | string | Blob) =>
      json<R2UploadedPart>('mpu/part', { key, uploadId, partNumber }, value as BodyInit),
    abort: async () => {
      await call('mpu/abort', { key, uploadId });
    },
    complete: async (parts: R2UploadedPart[]) =>
      objectOf(await json<WireObject>('mpu/complete', { key, uploadId, parts })),
  });

  const bucket = {
    async head(key: string) {
      return objectOrNull(await json<WireObject | null>('head', { key }));
    },
    async get(key: string, options?: R2GetOptions) {
      const request = {
        key,
        onlyIf: toWire(options?.onlyIf),
        range: options?.range instanceof Headers ? toWire(options.range) : options?.range,
      };
      const response = await call('get', request);
      const wire = fromHeader<WireObject | null>(response.headers.get(STORAGE_HEADER), null);
      if (!wire) return null;
      if (!wire.body) {
        await response.body?.cancel();
        return objectOf(wire);
      }
      return objectOf(wire, response.body ?? new ReadableStream({ start: (c) => c.close() }));
    },
    async put(key: string, value: BodyInit | null, options?: R2PutOptions) {
      const { onlyIf, httpMetadata, ...rest } = options ?? {};
      const request = { key, options: rest, onlyIf: toWire(onlyIf), httpMetadata: toWire(httpMetadata) };
      return objectOrNull(await json<WireObject | null>('put', request, value ?? ''));
    },
    async delete(keys: string | string[]) {
      await call('delete', { keys });
    },
    async list(options?: R2ListOptions) {
      const page = await json<{ objects: WireObject[] } & Record<string, unknown>>('list', { options });
      return { ...page, objects: page.objects.map((o) => objectOf(o)) };
    },
    async createMultipartUpload(key: string, options?: R2MultipartOptions) {
      const { httpMetadata, ...rest } = options ?? {};
      const request = { key, options: rest, httpMetadata: toWire(httpMetadata) };
      const { uploadId } = await json<{ uploadId: string }>('mpu/create', request);
      return upload(key, uploadId);
    },
    resumeMultipartUpload: upload,
  };
  return bucket as unknown as R2Bucket;
}

export interface RemoteImagesRequest {
  transforms: ImageTransform[];
  output: ImageOutputOptions;
  input?: ImageInputOptions | undefined;
}

/** Cloudflare Images' transform chain, sent whole with the input stream once output() is asked for. */
export function remoteImages(base: string): ImagesBinding {
  const transformer = (stream: ReadableStream<Uint8Array>, input?: ImageInputOptions): ImageTransformer => {
    const transforms: ImageTransform[] = [];
    const chain: ImageTransformer = {
      transform(transform) {
        transforms.push(transform);
        return chain;
      },
      draw() {
        throw new Error('the bench storage host does not draw');
      },
      async output(output) {
        const request: RemoteImagesRequest = { transforms, output, input };
        const response = await fetch(`${base}/images/output`, {
          method: 'POST',
          body: stream,
          headers: { [STORAGE_HEADER]: toHeader(request) },
        });
        if (!response.ok) throw new Error(`Cloudflare Images (bench storage host): ${await response.text()}`);
        const contentType = response.headers.get('content-type') ?? '';
        return {
          response: () => response,
          contentType: () => contentType,
          image: () => response.body as ReadableStream<Uint8Array>,
        };
      },
    };
    return chain;
  };
  const binding = {
    async info(stream: ReadableStream<Uint8Array>, input?: ImageInputOptions) {
      const response = await fetch(`${base}/images/info`, {
        method: 'POST',
        body: stream,
        headers: { [STORAGE_HEADER]: toHeader({ input }) },
      });
      if (!response.ok) throw new Error(`Cloudflare Images (bench storage host): ${await response.text()}`);
      return response.json<ImageInfoResponse>();
    },
    input: transformer,
    text() {
      throw new Error('the bench storage host does not render text');
    },
  };
  return binding as unknown as ImagesBinding;
}
