/**
 * Choosing a provider and model for a request. `auto` reads what the prompt asks for (text and logos,
 * photos, anime and art) and takes the first configured, available and capable provider in that intent's
 * order; the placeholder only when no real provider is left. An edit goes only to models that take its
 * source images (and mask). The reason is kept on the job. Pure.
 */
import { AppError } from '../errors';
import { canonicalProviderId } from './ids';
import { isRetired, type Resolved, resolveRetired, usableAt } from './lifecycle';
import type { ModelInfo } from './types';

export interface Candidate {
  id: string;
  catalogue: readonly ModelInfo[];
  defaultModel: string;
  available: boolean;
  reason?: string | undefined;
  /** Down only because a generation failed: `auto` skips it, but a call that names it is still tried. */
  attemptable?: boolean | undefined;
}

export interface RouteRequest {
  provider: string;
  model?: string | undefined;
  prompt: string;
  wantsNegativePrompt: boolean;
  allowPaid: boolean;
  paidProviders: readonly string[];
  /** The one paid provider and model the person confirmed for this call (src/calls/paid-confirmation.ts). */
  confirmedPaid?: ConfirmedRoute | undefined;
  /** Present for image-to-image: what the model must accept. */
  edit?: EditNeeds | undefined;
  /** The time lifecycles are read at (a model turns retired on its shutdown day); now by default. */
  now?: number | undefined;
}

/** A paid provider and model as the person confirmed them: a confirmation covers this route and no other. */
export interface ConfirmedRoute {
  provider: string;
  model: string;
}

export interface EditNeeds {
  images: number;
  mask: boolean;
}

export function canEdit(model: ModelInfo, edit: EditNeeds): boolean {
  const caps = model.capabilities;
  return caps.imageInput && caps.maxInputImages >= edit.images && (!edit.mask || caps.mask);
}

function editWords(edit: EditNeeds): string {
  const images = edit.images === 1 ? 'a source image' : `${edit.images} source images`;
  return `edit ${images}${edit.mask ? ' with a mask' : ''}`;
}

/** The refusal for a model or provider that cannot serve an edit, naming every configured one that can. */
function cannotEdit(what: string, edit: EditNeeds, candidates: readonly Candidate[], now: number): AppError {
  const able = candidates.flatMap((c) =>
    usableModels(c, now)
      .filter((m) => canEdit(m, edit))
      .map((m) => `${c.id}/${m.id}`),
  );
  const offer = able.length ? `Models that can: ${able.join(', ')}.` : 'No configured model can.';
  return new AppError('bad_request', `${what} cannot ${editWords(edit)}. ${offer}`);
}

/**
 * A provider the operator marked paid (PAID_PROVIDERS), chosen without allow_paid. It names the provider and the
 * model that would have run, so a caller can ask the person before spending (src/calls/paid-confirmation.ts).
 */
export class PaidProviderError extends AppError {
  constructor(
    readonly providerId: string,
    readonly model: ModelInfo,
    message: string,
  ) {
    super('bad_request', message);
  }
}

export interface Route {
  providerId: string;
  model: ModelInfo;
  reason: string;
  /** When the named model was retired: what ran instead (see lifecycle.ts), for the job's adaptations. */
  substitution?: string | undefined;
}

interface Intent {
  name: string;
  pattern: RegExp;
  order: readonly string[];
}

export const INTENTS: readonly Intent[] = [
  {
    name: 'text, logos or typography',
    pattern:
      /\b(text|logo|typograph\w*|letter(ing|s)?|font|poster|signs?|labels?|caption|headline|banner|infographic|words?|saying|reads)\b|["“][^"”]{2,}["”]/i,
    order: ['openai', 'gemini', 'workers-ai', 'sd-webui'],
  },
  {
    name: 'anime or art',
    pattern:
      /\b(anime|manga|chibi|illustration|painting|watercolou?r|oil paint\w*|concept art|pixel art|sketch|artwork|fantasy art)\b/i,
    order: ['sd-webui', 'workers-ai', 'openai', 'gemini'],
  },
  {
    name: 'photorealism',
    pattern: /\b(photo\w*|realistic|photoreal\w*|portrait|dslr|35mm|85mm|cinematic|hdr|raw photo)\b/i,
    order: ['sd-webui', 'workers-ai', 'gemini', 'openai'],
  },
];

/** Free or self-hosted first, then paid APIs. */
export const DEFAULT_ORDER: readonly string[] = ['workers-ai', 'sd-webui', 'gemini', 'openai'];

function usableModels(candidate: Candidate, now: number): ModelInfo[] {
  const current = candidate.catalogue.filter((m) => usableAt(m, now));
  const preferred = current.find((m) => m.id === candidate.defaultModel);
  return preferred ? [preferred, ...current.filter((m) => m !== preferred)] : current;
}

export function route(request: RouteRequest, candidates: readonly Candidate[]): Route {
  const now = request.now ?? Date.now();
  const byId = new Map(candidates.map((c) => [c.id, c]));
  const paid = (id: string) => request.paidProviders.includes(id) && !request.allowPaid;
  // A confirmation covers exactly the route the person was shown: another model or provider is paid again.
  const paidFor = (id: string, model: ModelInfo) =>
    paid(id) && !(request.confirmedPaid?.provider === id && request.confirmedPaid.model === model.id);
  const unavailable = (c: Candidate) => `${c.id} is unavailable${c.reason ? ` (${c.reason})` : ''}`;

  const wanted = canonicalProviderId(request.provider);
  if (wanted !== 'auto') {
    const chosen = byId.get(wanted);
    if (!chosen) {
      throw new AppError(
        'bad_request',
        `Unknown or unconfigured provider "${request.provider}". Available: auto, ${[...byId.keys()].join(', ')}.`,
      );
    }
    if (!chosen.available && !chosen.attemptable)
      throw new AppError('unavailable', `${unavailable(chosen)}. Try provider "auto" or another provider.`);
    const edit = request.edit;
    const picked = request.model ? pickModel(chosen, request.model, now) : undefined;
    const model = picked ? picked.model : usableModels(chosen, now).find((m) => !edit || canEdit(m, edit));
    if (edit && (!model || !canEdit(model, edit)))
      throw cannotEdit(model ? `${chosen.id}/${model.id}` : chosen.id, edit, candidates, now);
    if (!model) throw new AppError('bad_request', `${chosen.id} has no usable model.`);
    if (paidFor(chosen.id, model))
      throw new PaidProviderError(
        chosen.id,
        model,
        `${chosen.id} is a paid provider on this server: pass allow_paid: true to use it.`,
      );
    return {
      providerId: chosen.id,
      model,
      reason: `requested provider ${chosen.id}`,
      substitution: picked?.substitution ?? undefined,
    };
  }

  if (request.model) {
    const owner = candidates.find((c) =>
      c.catalogue.some((m) => m.id === request.model || m.aliases?.includes(request.model!)),
    );
    if (!owner) {
      const all = candidates.flatMap((c) => c.catalogue.filter((m) => !isRetired(m, now)).map((m) => m.id));
      throw new AppError(
        'bad_request',
        `No configured provider has model "${request.model}". Models: ${all.join(', ')}.`,
      );
    }
    if (!owner.available && !owner.attemptable)
      throw new AppError('unavailable', `${unavailable(owner)}; choose another model or provider "auto".`);
    const { model, substitution } = pickModel(owner, request.model, now);
    if (request.edit && !canEdit(model, request.edit))
      throw cannotEdit(`${owner.id}/${model.id}`, request.edit, candidates, now);
    if (paidFor(owner.id, model))
      throw new PaidProviderError(
        owner.id,
        model,
        `${request.model} belongs to the paid provider ${owner.id}: pass allow_paid: true.`,
      );
    return {
      providerId: owner.id,
      model,
      reason: `requested model ${request.model} (${owner.id})`,
      substitution: substitution ?? undefined,
    };
  }

  const intent = INTENTS.find((i) => i.pattern.test(request.prompt));
  const order = intent?.order ?? DEFAULT_ORDER;
  const skipped: string[] = [];
  const eligible: Array<{ candidate: Candidate; model: ModelInfo; capable: boolean }> = [];
  for (const id of order) {
    const candidate = byId.get(id);
    if (!candidate) continue;
    if (!candidate.available) {
      skipped.push(unavailable(candidate));
      continue;
    }
    if (paid(id)) {
      skipped.push(`${id} is paid (allow_paid not set)`);
      continue;
    }
    const edit = request.edit;
    const models = usableModels(candidate, now).filter((m) => !edit || canEdit(m, edit));
    if (edit && models.length === 0) {
      skipped.push(`${id} cannot ${editWords(edit)}`);
      continue;
    }
    const capable = request.wantsNegativePrompt ? models.find((m) => m.capabilities.negativePrompt) : models[0];
    eligible.push({ candidate, model: capable ?? models[0]!, capable: Boolean(capable) });
  }
  const pickedEntry = eligible.find((e) => e.capable) ?? eligible[0];
  const why = intent ? `prompt asks for ${intent.name}` : 'no specific intent in the prompt';
  const skippedNote = skipped.length ? `; skipped: ${skipped.join('; ')}` : '';
  if (pickedEntry) {
    return {
      providerId: pickedEntry.candidate.id,
      model: pickedEntry.model,
      reason: `auto: ${why} → ${pickedEntry.candidate.id} (order ${order.join(' > ')})${skippedNote}`,
    };
  }
  const placeholder = byId.get('placeholder');
  const fallback = placeholder && usableModels(placeholder, now).find((m) => !request.edit || canEdit(m, request.edit));
  if (placeholder?.available && fallback) {
    return {
      providerId: 'placeholder',
      model: fallback,
      reason: `auto: no real provider configured and available → placeholder${skippedNote}`,
    };
  }
  throw new AppError('unavailable', `No provider can serve this request now${skippedNote}.`);
}

/** The named model (id or alias), or for a retired one its replacement. */
function pickModel(candidate: Candidate, name: string, now: number): Resolved {
  const model = candidate.catalogue.find((m) => m.id === name || m.aliases?.includes(name));
  if (!model) {
    const models = candidate.catalogue.filter((m) => !isRetired(m, now)).map((m) => m.id);
    throw new AppError(
      'bad_request',
      `Provider "${candidate.id}" has no model "${name}". Its models: ${models.join(', ')}.`,
    );
  }
  return resolveRetired(candidate.catalogue, model, now, name);
}
