/**
 * Fake of the Gemini API (generativelanguage.googleapis.com) for image generation: models.list and
 * models.generateContent, with the real request checks (API key, known model, aspect ratio and imageSize the
 * model takes), the real error body {error: {code, message, status, details}} and real PNG bytes as inlineData.
 * Input images (edits) arrive as inlineData parts; ones that are not images, or too many, are refused.
 * FAKE:<mode> in the prompt steers failures; FAKE:mislabelled sends JPEG bytes labelled image/png.
 */
import { FAKE_SECRETS } from './all.ts';
import { jpegBytes, noisyPng, tinyPng } from './png.ts';
import { type FakeReply, type FakeRequest, type FakeServer, type FakeState, fakeMode, startFake } from './server.ts';

const RATIOS = ['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9'];
const WIDE = [...RATIOS, '1:4', '4:1', '1:8', '8:1'];

interface FakeModel {
  name: string;
  displayName: string;
  methods: string[];
  ratios?: string[];
  /** imageSize values it takes; empty when it takes none. */
  sizes?: string[];
  /** Input images it takes (14 for the 3.x image models, 3 for 2.5 Flash Image). */
  maxImages?: number;
}

const MODELS: FakeModel[] = [
  {
    name: 'gemini-nano-banana-2.1',
    displayName: 'Nano Banana 2.1',
    methods: ['generateContent', 'countTokens', 'batchGenerateContent'],
    ratios: WIDE,
    sizes: ['1K', '2K', '4K'],
  },
  {
    name: 'gemini-3-pro-image',
    displayName: 'Nano Banana Pro',
    methods: ['generateContent', 'countTokens', 'batchGenerateContent'],
    ratios: RATIOS,
    sizes: ['1K', '2K', '4K'],
  },
  {
    name: 'gemini-3.1-flash-image',
    displayName: 'Nano Banana 2',
    methods: ['generateContent', 'countTokens', 'batchGenerateContent'],
    ratios: WIDE,
    sizes: ['512', '1K', '2K', '4K'],
  },
  {
    name: 'gemini-3.1-flash-lite-image',
    displayName: 'Nano Banana 2 Lite',
    methods: ['generateContent', 'countTokens', 'batchGenerateContent'],
    ratios: RATIOS,
    sizes: ['1K'],
  },
  {
    name: 'gemini-2.5-flash-image',
    displayName: 'Nano Banana',
    methods: ['generateContent', 'countTokens', 'batchGenerateContent'],
    ratios: RATIOS,
    sizes: [],
    maxImages: 3,
  },
  {
    name: 'gemini-3.8-flash',
    displayName: 'Gemini 3.8 Flash',
    methods: ['generateContent', 'countTokens', 'createCachedContent', 'batchGenerateContent'],
  },
  {
    name: 'gemini-embedding-2',
    displayName: 'Gemini Embedding 2',
    methods: ['embedContent', 'countTextTokens', 'countTokens'],
  },
  // A predict-only model whose name contains "image": listed, but not a generateContent image model.
  { name: 'imagen-4.0-generate-001', displayName: 'Imagen 4', methods: ['predict'] },
];

function apiError(code: number, status: string, message: string, details?: object[]): FakeReply {
  return { status: code, body: { error: { code, message, status, ...(details && { details }) } } };
}

/** The real API: no key is 403, a wrong key is 400 API_KEY_INVALID. */
function checkKey(req: FakeRequest): FakeReply | undefined {
  const key = req.headers['x-goog-api-key'] ?? req.query.key;
  if (!key) {
    return apiError(
      403,
      'PERMISSION_DENIED',
      "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
    );
  }
  if (key !== FAKE_SECRETS.GEMINI_API_KEY) {
    return apiError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'API_KEY_INVALID',
        domain: 'googleapis.com',
        metadata: { service: 'generativelanguage.googleapis.com' },
      },
    ]);
  }
  return undefined;
}

function listModels(req: FakeRequest): FakeReply {
  const size = Math.min(1000, Number(req.query.pageSize) || 50);
  const start = Number(req.query.pageToken ?? 0) || 0;
  const page = MODELS.slice(start, start + size).map((m) => ({
    name: `models/${m.name}`,
    version: '001',
    displayName: m.displayName,
    inputTokenLimit: 65536,
    outputTokenLimit: 32768,
    supportedGenerationMethods: m.methods,
  }));
  const next = start + size < MODELS.length ? { nextPageToken: String(start + size) } : {};
  return { body: { models: page, ...next } };
}

/** About the pixel count of each imageSize, in multiples of 16 like the real outputs. */
function pixelSize(ratio: string, size: string): [number, number] {
  const [w, h] = ratio.split(':').map(Number) as [number, number];
  const side = { '512': 512, '1K': 1024, '2K': 2048, '4K': 4096 }[size] ?? 1024;
  const width = Math.round((side * Math.sqrt(w / h)) / 16) * 16;
  const height = Math.round((side * Math.sqrt(h / w)) / 16) * 16;
  return [width, height];
}

interface InlineData {
  mimeType?: string;
  data?: string;
}

interface ContentsBody {
  contents?: Array<{ role?: string; parts?: Array<{ text?: string; inlineData?: InlineData }> }>;
  generationConfig?: { responseModalities?: string[]; imageConfig?: { aspectRatio?: string; imageSize?: string } };
}

function answer(model: string, parts: object[], finishReason = 'STOP', imageTokens = 0): FakeReply {
  return {
    body: {
      candidates: [{ content: { parts, role: 'model' }, finishReason, index: 0 }],
      usageMetadata: {
        promptTokenCount: 12,
        candidatesTokenCount: imageTokens,
        totalTokenCount: 12 + imageTokens,
        promptTokensDetails: [{ modality: 'TEXT', tokenCount: 12 }],
        ...(imageTokens && { candidatesTokensDetails: [{ modality: 'IMAGE', tokenCount: imageTokens }] }),
      },
      modelVersion: model,
      responseId: `fake-${Math.random().toString(36).slice(2, 12)}`,
    },
  };
}

const TOKENS: Record<string, number> = { '512': 747, '1K': 1120, '2K': 1680, '4K': 2520 };

function generate(model: FakeModel, req: FakeRequest, state: FakeState): FakeReply | 'hang' {
  const body = (req.json ?? {}) as ContentsBody;
  const parts = body.contents?.flatMap((c) => c.parts ?? []) ?? [];
  if (parts.length === 0)
    return apiError(400, 'INVALID_ARGUMENT', '* GenerateContentRequest.contents: contents is not specified\n');
  const inputs = parts.flatMap((p) => (p.inlineData ? [p.inlineData] : []));
  if (inputs.length > (model.maxImages ?? 14))
    return apiError(
      400,
      'INVALID_ARGUMENT',
      `Too many input images: ${inputs.length}. The maximum is ${model.maxImages ?? 14}.`,
    );
  for (const input of inputs) {
    const bytes = Buffer.from(input.data ?? '', 'base64');
    const type = bytes[0] === 0x89 && bytes[1] === 0x50 ? 'image/png' : bytes[0] === 0xff ? 'image/jpeg' : 'image/webp';
    if (
      !['image/png', 'image/jpeg', 'image/webp'].includes(input.mimeType ?? '') ||
      input.mimeType !== type ||
      bytes.length < 12
    )
      return apiError(
        400,
        'INVALID_ARGUMENT',
        'Unable to process input image. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
      );
  }
  const prompt = parts.map((p) => p.text ?? '').join(' ');
  const config = body.generationConfig ?? {};
  const ratio = config.imageConfig?.aspectRatio ?? '1:1';
  const size = config.imageConfig?.imageSize;
  if (!model.ratios?.includes(ratio)) {
    return apiError(
      400,
      'INVALID_ARGUMENT',
      `Unsupported aspect ratio: ${ratio}. Supported values are ${model.ratios?.join(', ')}.`,
    );
  }
  if (size !== undefined && !model.sizes?.includes(size)) {
    const takes = model.sizes?.length
      ? `Supported values are ${model.sizes.join(', ')}.`
      : 'This model does not support imageSize.';
    return apiError(400, 'INVALID_ARGUMENT', `Unsupported image size: ${size}. ${takes}`);
  }
  const mode = fakeMode(prompt);
  switch (mode?.mode) {
    case 'hang':
      return 'hang';
    case 'rate_limit':
      return apiError(
        429,
        'RESOURCE_EXHAUSTED',
        'You exceeded your current quota, please check your plan and billing details.',
        [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '23s' }],
      );
    case 'server_error':
      return apiError(
        500,
        'INTERNAL',
        'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
      );
    case 'bad_request':
      return apiError(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.');
    case 'flaky':
      if (state.count(`flaky:${prompt}`) <= (mode.arg ?? 1))
        return apiError(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.');
      break;
    case 'content_policy':
      // Either the prompt is blocked outright (no candidates), or the finished image is withheld.
      if (mode.arg === 1) {
        return {
          body: {
            promptFeedback: { blockReason: 'PROHIBITED_CONTENT' },
            usageMetadata: { promptTokenCount: 12, totalTokenCount: 12 },
            modelVersion: model.name,
          },
        };
      }
      return {
        body: {
          candidates: [
            {
              content: { role: 'model' },
              finishReason: 'IMAGE_SAFETY',
              finishMessage: 'Unable to show the generated image.',
              index: 0,
            },
          ],
          usageMetadata: { promptTokenCount: 12, totalTokenCount: 12 },
          modelVersion: model.name,
        },
      };
    case 'malformed':
      if (mode.arg === 1)
        return answer(model.name, [
          { inlineData: { mimeType: 'image/png', data: Buffer.from('definitely not an image').toString('base64') } },
        ]);
      if (mode.arg === 2) return { headers: { 'content-type': 'application/json' }, body: '{"candidates": [' };
      // The model answers in words instead of drawing.
      return answer(model.name, [{ text: "I can't draw that, but here is a description instead." }], 'STOP');
  }
  if (!config.responseModalities?.some((m) => m.toUpperCase() === 'IMAGE')) {
    return answer(model.name, [{ text: 'Here is a description of the image you asked for.' }]);
  }
  const tier = size ?? '1K';
  const [width, height] = pixelSize(ratio, model.sizes?.length ? tier : '1K');
  const bytes =
    mode?.mode === 'mislabelled'
      ? jpegBytes()
      : mode?.mode === 'noisy'
        ? noisyPng(width, height)
        : tinyPng(width, height);
  const image = {
    inlineData: { mimeType: 'image/png', data: bytes.toString('base64') },
    ...(model.name.startsWith('gemini-3') && { thoughtSignature: 'ZmFrZS1zaWduYXR1cmU=' }),
  };
  const wantsText = config.responseModalities.some((m) => m.toUpperCase() === 'TEXT');
  return answer(
    model.name,
    wantsText ? [{ text: 'Here is your image.' }, image] : [image],
    'STOP',
    TOKENS[tier] ?? 1120,
  );
}

export function startGeminiFake(): Promise<FakeServer> {
  return startFake('gemini', (req, state) => {
    const match = /^\/(v1|v1beta)\/models(?:\/([^/:]+):generateContent)?$/.exec(req.path);
    if (!match) return undefined;
    const [, version, name] = match;
    if (!name && req.method === 'GET') return checkKey(req) ?? listModels(req);
    if (!name || req.method !== 'POST') return undefined;
    const denied = checkKey(req);
    if (denied) return denied;
    const model = MODELS.find((m) => m.name === name && m.methods.includes('generateContent'));
    if (!model) {
      return apiError(
        404,
        'NOT_FOUND',
        `models/${name} is not found for API version ${version}, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
      );
    }
    return generate(model, req, state);
  });
}
