/**
 * The storage host: R2 and Cloudflare Images in a `wrangler dev` of their own, which the bench build reaches
 * over HTTP (bench/worker/remote-storage.ts) when started with BENCH_STORAGE_URL. The local simulations of
 * both then run in this process rather than in the measured Worker's, as on Cloudflare they run outside the
 * isolate. Each route is one binding call; bodies stream through.
 */
import type { RemoteImagesRequest } from './worker/remote-storage';
import { fromHeader, fromWire, STORAGE_HEADER, toHeader, type WireValue, wireObject } from './worker/storage-wire';

interface HostEnv {
  IMAGES: R2Bucket;
  IMAGE_TRANSFORMS: ImagesBinding;
}

interface KeyRequest {
  key: string;
  uploadId: string;
  partNumber: number;
  keys: string | string[];
  onlyIf?: WireValue;
  range?: R2Range | WireValue;
  httpMetadata?: WireValue;
  options?: Record<string, unknown>;
  parts: R2UploadedPart[];
}

const orNull = (object: R2Object | null) => Response.json(object ? wireObject(object) : null);

async function r2(route: string, request: Request, bucket: R2Bucket): Promise<Response> {
  const body = request.method === 'PUT';
  const ask = body
    ? fromHeader<KeyRequest>(request.headers.get(STORAGE_HEADER), {} as KeyRequest)
    : await request.json<KeyRequest>();
  const onlyIf = fromWire(ask.onlyIf) as R2Conditional | Headers | undefined;
  const httpMetadata = fromWire(ask.httpMetadata) as R2HTTPMetadata | Headers | undefined;
  switch (route) {
    case 'head':
      return orNull(await bucket.head(ask.key));
    case 'get': {
      const range = ask.range && ('headers' in ask.range || 'fields' in ask.range) ? fromWire(ask.range) : ask.range;
      const object = await bucket.get(ask.key, { onlyIf, range: range as R2Range | Headers | undefined });
      if (!object) return new Response(null, { headers: { [STORAGE_HEADER]: toHeader(null) } });
      const hasBody = 'body' in object;
      const headers = { [STORAGE_HEADER]: toHeader(wireObject(object, hasBody)) };
      return new Response(hasBody ? object.body : null, { headers });
    }
    case 'put':
      return orNull(await bucket.put(ask.key, request.body, { ...ask.options, onlyIf, httpMetadata }));
    case 'delete':
      await bucket.delete(ask.keys);
      return Response.json({});
    case 'list': {
      const page = await bucket.list(ask.options);
      return Response.json({ ...page, objects: page.objects.map((o) => wireObject(o)) });
    }
    case 'mpu/create': {
      const upload = await bucket.createMultipartUpload(ask.key, { ...ask.options, httpMetadata });
      return Response.json({ uploadId: upload.uploadId });
    }
    case 'mpu/part': {
      if (!request.body) return new Response('no part body', { status: 400 });
      return Response.json(
        await bucket.resumeMultipartUpload(ask.key, ask.uploadId).uploadPart(ask.partNumber, request.body),
      );
    }
    case 'mpu/complete':
      return orNull(await bucket.resumeMultipartUpload(ask.key, ask.uploadId).complete(ask.parts));
    case 'mpu/abort':
      await bucket.resumeMultipartUpload(ask.key, ask.uploadId).abort();
      return Response.json({});
    default:
      return new Response(`no storage route r2/${route}`, { status: 404 });
  }
}

async function images(route: string, request: Request, binding: ImagesBinding): Promise<Response> {
  const ask = fromHeader<RemoteImagesRequest>(request.headers.get(STORAGE_HEADER), {} as RemoteImagesRequest);
  if (!request.body) return new Response('no image body', { status: 400 });
  if (route === 'info') return Response.json(await binding.info(request.body, ask.input));
  let chain = binding.input(request.body, ask.input);
  for (const transform of ask.transforms) chain = chain.transform(transform);
  return (await chain.output(ask.output)).response();
}

export default {
  async fetch(request, env) {
    const path = new URL(request.url).pathname;
    try {
      if (path.startsWith('/r2/')) return await r2(path.slice('/r2/'.length), request, env.IMAGES);
      if (path.startsWith('/images/'))
        return await images(path.slice('/images/'.length), request, env.IMAGE_TRANSFORMS);
      if (path === '/ready') return new Response('ready');
      return new Response(`no storage route ${path}`, { status: 404 });
    } catch (error) {
      return new Response(String(error), { status: 500 });
    }
  },
} satisfies ExportedHandler<HostEnv>;
