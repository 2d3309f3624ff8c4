/**
 * Fake of the Stable Diffusion WebUI API (A1111 / Forge, started with --api --api-auth), after
 * modules/api/api.py and models.py of Forge (FastAPI 0.104, pydantic 2.8):
 * - every route checks HTTP Basic and answers 401 in the WebUI's exception shape {error, detail, body, errors};
 * - txt2img validates field types like pydantic's lax mode (422 {detail: [{type, loc, msg, input}]}), falls back
 *   silently to the loaded checkpoint, sampler and scheduler when an override names one it lacks (as the real
 *   one does, so a test can see it), and answers a real PNG of the latent-rounded size with `info` as a JSON string;
 * - img2img takes the same fields plus init_images and an optional mask (base64 images, refused as the WebUI
 *   refuses them: 404 without an init image, 500 for one it cannot decode) and denoising_strength;
 * - /sdapi/v1/progress reports the running job like the real one (0 when idle).
 * FAKE modes: rate_limit (Cloudflare 429), server_error (CUDA OOM 500), bad_request (422), malformed, no_image,
 * bad_encoding, cut (an answer that stops partway through a 2048² image), hang, flaky:N (tunnel 502 N times),
 * tunnel_down (530), access_login (Access redirect), slow (~1.5 s with progress). The WebUI has no content policy, so content_policy generates normally.
 */
import { createHash } from 'node:crypto';
import { FAKE_SECRETS } from './all.ts';
import { noisyPng, tinyPng } from './png.ts';
import { type FakeReply, type FakeRequest, type FakeServer, fakeMode, startFake } from './server.ts';

interface Checkpoint {
  title: string;
  model_name: string;
  hash: string | null;
  sha256: string | null;
  filename: string;
  config: null;
  aliases: string[];
  stem: string;
}

function checkpoint(name: string, hashed = true): Checkpoint {
  const sha256 = hashed ? createHash('sha256').update(name).digest('hex') : null;
  const hash = sha256?.slice(0, 10) ?? null;
  const stem = name.replace(/^.*\//, '').replace(/\.[^.]+$/, '');
  const model_name = name.replace(/[/\\]/g, '_').replace(/\.[^.]+$/, '');
  const title = hash ? `${name} [${hash}]` : name;
  const aliases = [title, model_name, name, stem, ...(hash && sha256 ? [hash, sha256, `${stem} [${hash}]`] : [])];
  return { title, model_name, hash, sha256, filename: `/models/Stable-diffusion/${name}`, config: null, aliases, stem };
}

export const FAKE_CHECKPOINTS = [
  checkpoint('v1-5-pruned-emaonly.safetensors'),
  checkpoint('sd_xl_base_1.0.safetensors'),
  checkpoint('SDXL/juggernautXL_v9Lightning.safetensors'),
  checkpoint('flux1-dev-bnb-nf4-v2.safetensors'),
  checkpoint('sd3_medium_incl_clips.safetensors'),
  checkpoint('ponyDiffusionV6XL_v6.safetensors', false),
];

/**
 * Entries as forks and older builds list them, after the real checkpoints: one without filename or hash (its
 * title is all a client needs), and one without a title, which no client can use.
 */
const ODD_LISTING = [
  { title: 'odd-fork-model.ckpt', model_name: 'odd-fork-model' },
  { model_name: 'no-title-entry', filename: '/models/Stable-diffusion/no-title-entry.ckpt' },
];

const SAMPLERS = [
  'DPM++ 2M',
  'DPM++ SDE',
  'DPM++ 2M SDE',
  'DPM++ 3M SDE',
  'Euler a',
  'Euler',
  'LMS',
  'Heun',
  'DDIM',
  'UniPC',
  'LCM',
];
const SCHEDULERS = [
  'Automatic',
  'Uniform',
  'Karras',
  'Exponential',
  'Polyexponential',
  'SGM Uniform',
  'KL Optimal',
  'Align Your Steps',
  'Simple',
  'Normal',
  'DDIM',
  'Beta',
];

/** The WebUI's api_middleware turns every HTTPException into this shape. */
function httpError(status: number, detail: string): FakeReply {
  return { status, body: { error: 'HTTPException', detail, body: '', errors: `${status}: ${detail}` } };
}

function authError(request: FakeRequest): FakeReply | undefined {
  const header = request.headers.authorization ?? '';
  if (!header.startsWith('Basic ')) return httpError(401, 'Not authenticated');
  const given = Buffer.from(header.slice(6), 'base64').toString('utf8');
  return given === FAKE_SECRETS.SD_WEBUI_AUTH ? undefined : httpError(401, 'Incorrect username or password');
}

type Kind = 'str' | 'int' | 'float' | 'bool' | 'dict' | 'list';
const FIELDS: Record<string, Kind> = {
  prompt: 'str',
  negative_prompt: 'str',
  sampler_name: 'str',
  sampler_index: 'str',
  scheduler: 'str',
  width: 'int',
  height: 'int',
  steps: 'int',
  seed: 'int',
  subseed: 'int',
  batch_size: 'int',
  n_iter: 'int',
  cfg_scale: 'float',
  distilled_cfg_scale: 'float',
  denoising_strength: 'float',
  override_settings_restore_afterwards: 'bool',
  send_images: 'bool',
  save_images: 'bool',
  override_settings: 'dict',
  alwayson_scripts: 'dict',
  styles: 'list',
  script_args: 'list',
  init_images: 'list',
  mask: 'str',
  mask_blur: 'int',
  inpainting_fill: 'int',
  inpaint_full_res: 'bool',
  inpainting_mask_invert: 'int',
  resize_mode: 'int',
};

/** modules/api/api.py decode_base64_to_image: a data: prefix is allowed; anything PIL cannot open is a 500. */
function decodesAsImage(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const bytes = Buffer.from(value.replace(/^data:image\/\w+;base64,/, ''), 'base64');
  const png = bytes.readUInt32BE(0) === 0x89504e47;
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  const webp = bytes.subarray(8, 12).toString('latin1') === 'WEBP';
  return bytes.length > 12 && (png || jpeg || webp);
}

const BOOL_WORDS = ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off', 't', 'f', 'y', 'n'];

/** Pydantic v2 lax-mode checks for one (Optional) field; returns the error type and message, if any. */
function fieldError(kind: Kind, value: unknown): [string, string] | null {
  if (value === null) return null;
  switch (kind) {
    case 'str':
      return typeof value === 'string' ? null : ['string_type', 'Input should be a valid string'];
    case 'int':
      if (typeof value === 'boolean') return null;
      if (typeof value === 'number')
        return Number.isInteger(value)
          ? null
          : ['int_from_float', 'Input should be a valid integer, got a number with a fractional part'];
      if (typeof value === 'string')
        return /^\s*-?\d+\s*$/.test(value)
          ? null
          : ['int_parsing', 'Input should be a valid integer, unable to parse string as an integer'];
      return ['int_type', 'Input should be a valid integer'];
    case 'float':
      if (typeof value === 'number' || typeof value === 'boolean') return null;
      if (typeof value === 'string')
        return value.trim() !== '' && Number.isFinite(Number(value))
          ? null
          : ['float_parsing', 'Input should be a valid number, unable to parse string as a number'];
      return ['float_type', 'Input should be a valid number'];
    case 'bool':
      if (typeof value === 'boolean' || value === 0 || value === 1) return null;
      if (typeof value === 'string')
        return BOOL_WORDS.includes(value.toLowerCase())
          ? null
          : ['bool_parsing', 'Input should be a valid boolean, unable to interpret input'];
      return ['bool_type', 'Input should be a valid boolean'];
    case 'dict':
      return typeof value === 'object' && !Array.isArray(value)
        ? null
        : ['dict_type', 'Input should be a valid dictionary'];
    case 'list':
      return Array.isArray(value) ? null : ['list_type', 'Input should be a valid list'];
  }
}

function validationError(
  items: Array<{ type: string; loc: Array<string | number>; msg: string; input: unknown }>,
): FakeReply {
  return {
    status: 422,
    body: { detail: items.map((item) => ({ ...item, url: `https://errors.pydantic.dev/2.8/v/${item.type}` })) },
  };
}

const NOT_AN_OBJECT = 'Input should be a valid dictionary or object to extract fields from';

type Checked = { body: Record<string, unknown> } | { reply: FakeReply };

/** FastAPI's body handling, then the model's field types; returns the body or a 422. */
function validate(request: FakeRequest): Checked {
  const type = request.headers['content-type'];
  if (type && !/^application\/(.+\+)?json/i.test(type)) {
    return {
      reply: validationError([
        { type: 'model_attributes_type', loc: ['body'], msg: NOT_AN_OBJECT, input: request.body },
      ]),
    };
  }
  if (!request.body)
    return { reply: validationError([{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }]) };
  if (request.json === undefined)
    return {
      reply: validationError([{ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {} }]),
    };
  const body = request.json;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return {
      reply: validationError([{ type: 'model_attributes_type', loc: ['body'], msg: NOT_AN_OBJECT, input: body }]),
    };
  }
  const fields = body as Record<string, unknown>;
  const errors = Object.entries(FIELDS).flatMap(([name, kind]) => {
    const error = name in fields ? fieldError(kind, fields[name]) : null;
    return error ? [{ type: error[0], loc: ['body', name], msg: error[1], input: fields[name] }] : [];
  });
  // Stricter than the WebUI, which defaults a missing prompt to "": a provider that drops it should fail loudly.
  if (!('prompt' in fields))
    errors.unshift({ type: 'missing', loc: ['body', 'prompt'], msg: 'Field required', input: fields });
  return errors.length > 0 ? { reply: validationError(errors) } : { body: fields };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const VERSION = 'f2.0.1v1.10.1-previous-669-gdfdcbab6';

export function startSdWebuiFake(): Promise<FakeServer> {
  let loaded = FAKE_CHECKPOINTS[0]!;
  let running: { started: number; durationMs: number; steps: number } | null = null;

  function progress(request: FakeRequest): FakeReply {
    const skip = ['true', '1', 'yes', 'on'].includes((request.query.skip_current_image ?? 'false').toLowerCase());
    const idle = {
      skipped: false,
      interrupted: false,
      stopping_generation: false,
      job: '',
      job_count: 0,
      job_timestamp: '0',
      job_no: 0,
      sampling_step: 0,
      sampling_steps: 0,
    };
    if (!running) return { body: { progress: 0, eta_relative: 0, state: idle, current_image: null, textinfo: null } };
    const elapsed = (Date.now() - running.started) / 1000;
    const step = Math.min(
      running.steps,
      Math.floor(((Date.now() - running.started) / running.durationMs) * running.steps),
    );
    const fraction = Math.min(1, 0.01 + step / running.steps);
    return {
      body: {
        progress: fraction,
        eta_relative: elapsed / fraction - elapsed,
        state: { ...idle, job: 'scripts_txt2img', job_count: 1, sampling_step: step, sampling_steps: running.steps },
        current_image: skip ? null : tinyPng(8, 8).toString('base64'),
        textinfo: null,
      },
    };
  }

  async function generate(
    request: FakeRequest,
    count: (key: string) => number,
    task: 'txt2img' | 'img2img',
  ): Promise<FakeReply | 'hang'> {
    const checked = validate(request);
    if ('reply' in checked) return checked.reply;
    const { body } = checked;
    if (task === 'img2img') {
      const init = body.init_images;
      if (!Array.isArray(init) || init.length === 0) return httpError(404, 'Init image not found');
      if (!init.every(decodesAsImage) || (body.mask != null && !decodesAsImage(body.mask)))
        return httpError(500, 'Invalid encoded image');
    }
    const prompt = typeof body.prompt === 'string' ? body.prompt : '';
    const mode = fakeMode(prompt);
    switch (mode?.mode) {
      case 'rate_limit':
        return { status: 429, headers: { 'content-type': 'text/plain' }, body: 'error code: 1015' };
      case 'server_error':
        return {
          status: 500,
          body: {
            error: 'OutOfMemoryError',
            detail: '',
            body: '',
            errors: 'CUDA out of memory. Tried to allocate 2.00 GiB',
          },
        };
      case 'bad_request':
        return validationError([
          {
            type: 'int_parsing',
            loc: ['body', 'steps'],
            msg: 'Input should be a valid integer, unable to parse string as an integer',
            input: 'many',
          },
        ]);
      case 'malformed':
        return { body: { images: [Buffer.from('not an image').toString('base64')], parameters: {}, info: '{}' } };
      case 'no_image':
        return { body: { images: [], parameters: {}, info: '{}' } };
      case 'bad_encoding':
        return { body: { images: ['%%% not base64 %%%'], parameters: {}, info: '{}' } };
      case 'cut': {
        const base64 = noisyPng(2048, 2048).toString('base64');
        const whole = `{"images": ["${base64}"], "parameters": {}, "info": "{}"}`;
        return {
          headers: { 'content-type': 'application/json' },
          body: whole.slice(0, Math.floor(whole.length * 0.9)),
        };
      }
      case 'hang':
        return 'hang';
      case 'flaky':
        if (count(prompt) <= (mode.arg ?? 1))
          return {
            status: 502,
            headers: { 'content-type': 'text/html' },
            body: '<html><head><title>Bad gateway | sd.example.com | Cloudflare</title></head><body>Error 502</body></html>',
          };
        break;
      case 'tunnel_down':
        return { status: 530, headers: { 'content-type': 'text/plain' }, body: 'error code: 1033' };
      case 'access_login':
        return {
          status: 302,
          headers: { location: 'https://example.cloudflareaccess.com/cdn-cgi/access/login/sd.example.com' },
        };
    }

    const overrides = (body.override_settings ?? {}) as Record<string, unknown>;
    const wanted = FAKE_CHECKPOINTS.find((c) => c.aliases.includes(String(overrides.sd_model_checkpoint)));
    const model = wanted ?? loaded;
    if (wanted && body.override_settings_restore_afterwards === false) loaded = wanted;
    const steps = Number(body.steps ?? 20);
    const sampler = SAMPLERS.includes(String(body.sampler_name)) ? String(body.sampler_name) : 'Euler';
    const scheduler = SCHEDULERS.includes(String(body.scheduler)) ? String(body.scheduler) : 'Automatic';
    // The VAE decodes latents of width/8 x height/8, so sides are rounded down to multiples of 8.
    const width = Math.floor(Number(body.width ?? 512) / 8) * 8;
    const height = Math.floor(Number(body.height ?? 512) / 8) * 8;
    const requestedSeed = Number(body.seed ?? -1);
    const seed = requestedSeed === -1 ? Math.floor(Math.random() * 2 ** 32) : requestedSeed;
    const negative = typeof body.negative_prompt === 'string' ? body.negative_prompt : '';
    const cfg = Number(body.cfg_scale ?? 7);

    if (mode?.mode === 'slow') {
      // FAKE:slow:N takes N ms (default 1.5 s), long enough for the provider's progress polls to see it run.
      const durationMs = mode.arg ?? 1500;
      running = { started: Date.now(), durationMs, steps };
      await sleep(durationMs);
      running = null;
    }

    const infotext = [
      prompt,
      ...(negative ? [`Negative prompt: ${negative}`] : []),
      `Steps: ${steps}, Sampler: ${sampler}, Schedule type: ${scheduler}, CFG scale: ${cfg}, Seed: ${seed}, Size: ${width}x${height}, ${model.hash ? `Model hash: ${model.hash}, ` : ''}Model: ${model.stem}, Version: ${VERSION}`,
    ].join('\n');
    const info = {
      prompt,
      all_prompts: [prompt],
      negative_prompt: negative,
      all_negative_prompts: [negative],
      seed,
      all_seeds: [seed],
      subseed: 1234,
      all_subseeds: [1234],
      subseed_strength: 0,
      width,
      height,
      sampler_name: sampler,
      cfg_scale: cfg,
      steps,
      batch_size: 1,
      restore_faces: null,
      face_restoration_model: null,
      sd_model_name: model.stem,
      sd_model_hash: model.hash,
      sd_vae_name: null,
      sd_vae_hash: null,
      seed_resize_from_w: -1,
      seed_resize_from_h: -1,
      denoising_strength: task === 'img2img' ? Number(body.denoising_strength ?? 0.75) : null,
      extra_generation_params: { 'Schedule type': scheduler },
      index_of_first_image: 0,
      infotexts: [infotext],
      styles: [],
      job_timestamp: '20250101120000',
      clip_skip: 1,
      is_using_inpainting_conditioning: false,
      version: VERSION,
    };
    return {
      body: {
        images: [(mode?.mode === 'noisy' ? noisyPng(width, height) : tinyPng(width, height)).toString('base64')],
        parameters: {
          ...body,
          sampler_index: 'Euler',
          script_name: null,
          script_args: [],
          send_images: true,
          save_images: false,
          alwayson_scripts: {},
        },
        info: JSON.stringify(info),
      },
    };
  }

  return startFake('sd-webui', async (request, state) => {
    const route = `${request.method} ${request.path}`;
    const known = [
      'POST /sdapi/v1/txt2img',
      'POST /sdapi/v1/img2img',
      'GET /sdapi/v1/sd-models',
      'GET /sdapi/v1/progress',
    ];
    if (!known.includes(route)) return undefined;
    const denied = authError(request);
    if (denied) return denied;
    if (route === 'GET /sdapi/v1/sd-models')
      return { body: [...FAKE_CHECKPOINTS.map(({ aliases: _a, stem: _s, ...item }) => item), ...ODD_LISTING] };
    if (route === 'GET /sdapi/v1/progress') return progress(request);
    return generate(request, (key) => state.count(key), route === 'POST /sdapi/v1/img2img' ? 'img2img' : 'txt2img');
  });
}
