/**
 * Fake of the OpenAI API's image generation (POST /v1/images/generations), editing (POST /v1/images/edits,
 * multipart: image or image[] up to 16, an optional PNG mask with alpha the first image's size) and model
 * list (GET /v1/models), validating requests and shaping answers and errors as the API reference of November 2026 documents them.
 * Successful answers carry real image bytes of the size made: PNG, JPEG or (lossless, one colour) WebP.
 */
import { FAKE_SECRETS } from './all.ts';
import { jpegBytes, noisyPng, tinyPng } from './png.ts';
import { type FakeForm, type FakeReply, type FakeServer, fakeMode, startFake } from './server.ts';

const BASE_QUALITIES = ['low', 'medium', 'high', 'auto'];
const EXTENDED_QUALITIES = [...BASE_QUALITIES, 'xhigh', 'max'];
const ALL_BACKGROUNDS = ['transparent', 'opaque', 'auto'];
const FIXED_SIZES = ['1024x1024', '1536x1024', '1024x1536'];

interface FakeModel {
  /** gpt-image-2 and later take any valid WIDTHxHEIGHT; the 1.x models only three sizes. */
  flexible: boolean;
  qualities: string[];
  backgrounds: string[];
  shutdownDate?: string;
}

const flexible = (qualities: string[], backgrounds = ALL_BACKGROUNDS): FakeModel => ({
  flexible: true,
  qualities,
  backgrounds,
});
const fixed = (shutdownDate: string): FakeModel => ({
  flexible: false,
  qualities: BASE_QUALITIES,
  backgrounds: ALL_BACKGROUNDS,
  shutdownDate,
});

const MODELS: Record<string, FakeModel> = {
  'gpt-image-2.6-sunburst': flexible(EXTENDED_QUALITIES),
  'gpt-image-2.6-flare': flexible(EXTENDED_QUALITIES),
  'gpt-image-2.5-sunburst': flexible(EXTENDED_QUALITIES),
  'gpt-image-2.5-sunburst-2026-09-08': flexible(EXTENDED_QUALITIES),
  'gpt-image-2.5-flare': flexible(EXTENDED_QUALITIES),
  'gpt-image-2.5-flare-2026-09-08': flexible(EXTENDED_QUALITIES),
  // Transparent backgrounds on gpt-image-2 are a preview this fake account has no access to.
  'gpt-image-2': flexible(BASE_QUALITIES, ['opaque', 'auto']),
  'gpt-image-2-2026-04-21': flexible(BASE_QUALITIES, ['opaque', 'auto']),
  'gpt-image-1.5': fixed('2026-12-01'),
  'gpt-image-1-mini': fixed('2026-12-01'),
  'chatgpt-image-latest': fixed('2026-12-01'),
};

/** Other models the account sees in GET /v1/models, which discovery must leave out. */
const OTHER_MODELS = [
  'gpt-5.6-sol',
  'gpt-5.6-terra',
  'text-embedding-3-large',
  'whisper-1',
  'sora-2',
  'omni-moderation-latest',
];

const PARAMETERS = new Set([
  'prompt',
  'model',
  'n',
  'size',
  'quality',
  'output_format',
  'output_compression',
  'background',
  'moderation',
  'partial_images',
  'stream',
  'user',
  'safety_identifier',
  'complexity',
]);
/** Parameters of the retired DALL·E models, which GPT image models reject. */
const LEGACY_PARAMETERS = new Set(['response_format', 'style']);

function apiError(
  status: number,
  message: string,
  code: string | null,
  param: string | null = null,
  type = 'invalid_request_error',
): FakeReply {
  return { status, body: { error: { message, type, param, code } } };
}

const quoteList = (values: string[]) =>
  `${values
    .slice(0, -1)
    .map((v) => `'${v}'`)
    .join(', ')}, and '${values.at(-1)}'`;
const invalidValue = (param: string, value: unknown, allowed: string[]) =>
  apiError(
    400,
    `Invalid value: '${String(value)}'. Supported values are: ${quoteList(allowed)}.`,
    'invalid_value',
    param,
  );

function checkAuth(authorization: string | undefined): FakeReply | undefined {
  if (!authorization) {
    return apiError(
      401,
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      null,
    );
  }
  const key = authorization.replace(/^Bearer\s+/i, '');
  if (key === FAKE_SECRETS.OPENAI_API_KEY) return undefined;
  // Like the real API, the message shows the key masked (first and last characters only).
  const masked = `${key.slice(0, 3)}${'*'.repeat(Math.max(0, key.length - 7))}${key.slice(-4)}`;
  return apiError(
    401,
    `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`,
    'invalid_api_key',
  );
}

/** The size the model will make, or the 400 the API answers for it. */
function checkSize(size: unknown, model: FakeModel): [number, number] | FakeReply {
  if (size === undefined || size === null || size === 'auto') return [1024, 1024];
  const match = typeof size === 'string' ? /^(\d+)x(\d+)$/.exec(size) : null;
  const [w, h] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
  if (!model.flexible)
    return FIXED_SIZES.includes(String(size)) ? [w, h] : invalidValue('size', size, [...FIXED_SIZES, 'auto']);
  const valid =
    w % 16 === 0 &&
    h % 16 === 0 &&
    Math.max(w, h) <= 3840 &&
    Math.max(w, h) <= 3 * Math.min(w, h) &&
    w * h >= 655_360 &&
    w * h <= 8_294_400;
  if (match && valid) return [w, h];
  return apiError(
    400,
    `Invalid size '${String(size)}'. Width and height must both be multiples of 16, at most 3840 pixels, with an aspect ratio of at most 3:1 and between 655360 and 8294400 pixels in total.`,
    'invalid_value',
    'size',
  );
}

/** A lossless WebP in one colour: with one symbol per prefix code, every pixel costs zero bits. */
function webpBytes(width: number, height: number, [r, g, b]: [number, number, number] = [200, 80, 40]): Buffer {
  const bits: number[] = [];
  const put = (value: number, count: number) => {
    for (let i = 0; i < count; i++) bits.push((value >> i) & 1);
  };
  put(width - 1, 14);
  put(height - 1, 14);
  put(0, 1); // alpha unused
  put(0, 3); // version 0
  put(0, 1); // no transforms
  put(0, 1); // no colour cache
  put(0, 1); // no meta prefix codes
  for (const symbol of [g, r, b, 255]) {
    put(1, 1); // simple code
    put(0, 1); // one symbol
    put(1, 1); // of 8 bits
    put(symbol, 8);
  }
  put(0b0001, 4); // distance code: simple, one 1-bit symbol, 0
  const data = Buffer.alloc(1 + Math.ceil(bits.length / 8));
  data[0] = 0x2f;
  bits.forEach((bit, i) => {
    data[1 + (i >> 3)]! |= bit << (i & 7);
  });
  const chunk = Buffer.concat([Buffer.from('VP8L'), Buffer.alloc(4), data, Buffer.alloc(data.length % 2)]);
  chunk.writeUInt32LE(data.length, 4);
  const riff = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBP'), chunk]);
  riff.writeUInt32LE(riff.length - 8, 4);
  return riff;
}

function imageBytes(format: string, width: number, height: number): Buffer {
  if (format === 'jpeg') return jpegBytes();
  if (format === 'webp') return webpBytes(width, height);
  return tinyPng(width, height);
}

let requestIds = 0;

function generate(body: Record<string, unknown>, count: (key: string) => number): FakeReply | 'hang' {
  for (const name of Object.keys(body)) {
    if (!PARAMETERS.has(name) && !LEGACY_PARAMETERS.has(name))
      return apiError(400, `Unknown parameter: '${name}'.`, 'unknown_parameter', name);
  }
  const { prompt, model: modelId } = body;
  if (typeof prompt !== 'string' || prompt === '')
    return apiError(400, "Missing required parameter: 'prompt'.", 'missing_required_parameter', 'prompt');
  if (typeof modelId !== 'string')
    return apiError(400, "Missing required parameter: 'model'.", 'missing_required_parameter', 'model');
  const model = MODELS[modelId];
  if (!model)
    return apiError(404, `The model \`${modelId}\` does not exist or you do not have access to it.`, 'model_not_found');
  // Only now is it known that the model is a GPT image model, which refuses the retired models' parameters.
  for (const name of Object.keys(body)) {
    if (LEGACY_PARAMETERS.has(name)) return apiError(400, `Unknown parameter: '${name}'.`, 'unknown_parameter', name);
  }
  if (prompt.length > 32_000) {
    return apiError(
      400,
      `Invalid 'prompt': string too long. Expected a string with maximum length 32000, but got a string with length ${prompt.length} instead.`,
      'string_above_max_length',
      'prompt',
    );
  }
  const n = body.n ?? 1;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 10)
    return apiError(400, `Invalid 'n': expected an integer from 1 to 10.`, 'invalid_value', 'n');
  const size = checkSize(body.size, model);
  if (!Array.isArray(size)) return size;
  const { quality = 'auto', output_format: format = 'png', background = 'auto' } = body;
  if (!model.qualities.includes(String(quality))) return invalidValue('quality', quality, model.qualities);
  if (!['png', 'jpeg', 'webp'].includes(String(format)))
    return invalidValue('output_format', format, ['png', 'jpeg', 'webp']);
  if (!model.backgrounds.includes(String(background))) return invalidValue('background', background, model.backgrounds);
  if (background === 'transparent' && format === 'jpeg') {
    return apiError(
      400,
      'Transparent background is not supported for the jpeg output format. Use png or webp.',
      'invalid_value',
      'background',
    );
  }

  const mode = fakeMode(prompt);
  switch (mode?.mode) {
    case 'rate_limit':
      return {
        ...apiError(
          429,
          `Rate limit reached for ${modelId} in organization org-fake on images per minute (IPM): Limit 5, Used 5, Requested 1. Please try again in 12s.`,
          'rate_limit_exceeded',
          null,
          'requests',
        ),
        headers: { 'retry-after': '12' },
      };
    case 'server_error':
      return apiError(
        500,
        'The server had an error while processing your request. Sorry about that!',
        null,
        null,
        'server_error',
      );
    case 'content_policy':
      return {
        status: 400,
        body: {
          error: {
            message:
              'Your request was rejected by the safety system. If you believe this is an error, contact us at help.openai.com and include the request ID req_fake. safety_violations=[violence].',
            type: 'image_generation_user_error',
            param: null,
            code: 'moderation_blocked',
            moderation_details: { moderation_stage: 'input', categories: ['violence'] },
          },
        },
      };
    case 'bad_request':
      return apiError(400, "Invalid value for 'prompt': the fake was told to refuse it.", 'invalid_value', 'prompt');
    case 'malformed':
      return {
        body: {
          created: Math.floor(Date.now() / 1000),
          data: [{ b64_json: Buffer.from('this is not an image').toString('base64') }],
        },
      };
    case 'hang':
      return 'hang';
    case 'flaky':
      if (count(prompt) <= (mode.arg ?? 1))
        return apiError(
          500,
          'The server had an error while processing your request. Sorry about that!',
          null,
          null,
          'server_error',
        );
  }

  const [width, height] = size;
  const made = quality === 'auto' ? 'medium' : String(quality);
  return {
    headers: { 'x-request-id': `req_fake_${++requestIds}` },
    body: {
      created: Math.floor(Date.now() / 1000),
      background: background === 'transparent' ? 'transparent' : 'opaque',
      data: [
        {
          b64_json: (mode?.mode === 'noisy'
            ? noisyPng(width, height)
            : imageBytes(String(format), width, height)
          ).toString('base64'),
        },
      ],
      output_format: format,
      quality: made,
      size: `${width}x${height}`,
      usage: {
        input_tokens: Math.ceil(prompt.length / 4),
        input_tokens_details: { image_tokens: 0, text_tokens: Math.ceil(prompt.length / 4) },
        output_tokens: 1056,
        output_tokens_details: { image_tokens: 1056, text_tokens: 0 },
        total_tokens: 1056 + Math.ceil(prompt.length / 4),
      },
    },
  };
}

const EDIT_FILES = new Set(['image', 'image[]', 'mask']);

/** PNG width, height and whether it has an alpha channel (colour types 4 and 6), from its IHDR. */
function pngHeader(bytes: Buffer): { width: number; height: number; alpha: boolean } | null {
  if (bytes.length < 26 || bytes.readUInt32BE(0) !== 0x89504e47) return null;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20), alpha: bytes[25] === 4 || bytes[25] === 6 };
}

function imageKind(bytes: Buffer): string | null {
  if (pngHeader(bytes)) return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'jpeg';
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP')
    return 'webp';
  return null;
}

/** POST /v1/images/edits: the form's files checked as the API checks them, the rest as for a generation. */
function editImages(form: FakeForm | undefined, count: (key: string) => number): FakeReply | 'hang' {
  if (!form) return apiError(400, 'Invalid multipart/form-data body.', null);
  for (const name of [...Object.keys(form.fields), ...form.files.map((f) => f.field)]) {
    if (!PARAMETERS.has(name) && !EDIT_FILES.has(name) && name !== 'input_fidelity')
      return apiError(400, `Unknown parameter: '${name}'.`, 'unknown_parameter', name);
  }
  const images = form.files.filter((f) => f.field === 'image' || f.field === 'image[]');
  if (images.length === 0)
    return apiError(400, "Missing required parameter: 'image'.", 'missing_required_parameter', 'image');
  if (images.length > 16)
    return apiError(
      400,
      `Invalid 'image': expected at most 16 images, got ${images.length}.`,
      'invalid_value',
      'image',
    );
  for (const [i, image] of images.entries()) {
    if (!imageKind(image.bytes))
      return apiError(
        400,
        `Invalid image file or mode for image ${i + 1}, please check your image file.`,
        'invalid_image_file',
        'image',
      );
  }
  const mask = form.files.find((f) => f.field === 'mask');
  if (mask) {
    const header = pngHeader(mask.bytes);
    if (!header) return apiError(400, 'Invalid mask image format - must be a PNG.', 'invalid_image_format', 'mask');
    if (!header.alpha)
      return apiError(
        400,
        "Invalid input image - format must be in ['RGBA', 'LA'], got RGB.",
        'invalid_image_format',
        'mask',
      );
    const first = pngHeader(images[0]!.bytes);
    if (first && (first.width !== header.width || first.height !== header.height))
      return apiError(
        400,
        'Invalid mask image format - mask size does not match image size.',
        'invalid_image_format',
        'mask',
      );
  }
  const fields = Object.fromEntries(Object.entries(form.fields).map(([k, v]) => [k, v.at(-1)]));
  return generate({ ...fields, ...(fields.n !== undefined && { n: Number(fields.n) }) }, count);
}

export function startOpenaiFake(): Promise<FakeServer> {
  return startFake('openai', (request, state) => {
    const route = `${request.method} ${request.path}`;
    const routes = ['POST /v1/images/generations', 'POST /v1/images/edits', 'GET /v1/models'];
    if (!routes.includes(route)) return undefined;
    const denied = checkAuth(request.headers.authorization);
    if (denied) return denied;
    if (route === 'POST /v1/images/edits') return editImages(request.form, (key) => state.count(key));
    if (route === 'GET /v1/models') {
      const created = 1_700_000_000;
      return {
        body: {
          object: 'list',
          data: [
            ...OTHER_MODELS.map((id) => ({ id, object: 'model', created, owned_by: 'system' })),
            ...Object.entries(MODELS).map(([id, m]) => ({
              id,
              object: 'model',
              created,
              owned_by: 'system',
              shutdown_date: m.shutdownDate ?? null,
            })),
          ],
        },
      };
    }
    if (typeof request.json !== 'object' || request.json === null || Array.isArray(request.json)) {
      return apiError(
        400,
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)",
        null,
      );
    }
    return generate(request.json as Record<string, unknown>, (key) => state.count(key));
  });
}
