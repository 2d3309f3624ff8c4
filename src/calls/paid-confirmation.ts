/**
 * Asking the person before spending money (the Python server's elicitation feature, made stateless). A call
 * that would run on a provider listed in PAID_PROVIDERS without `allow_paid`, from a client that declares
 * form elicitation, answers `input_required` (2026-07-28 multi round-trip, SEP-2322) with one question that
 * names provider, model, image count and estimated cost. The client retries with the answer and the sealed
 * `requestState` (request-state.ts: HMAC, ten minutes, bound to the subject). The state is bound to the tool
 * and its exact arguments, and carries a nonce that runs the call once (jobs/confirmations.ts); yes allows only
 * the provider and model shown (if the route has changed since, the person is asked again); no, decline or
 * cancel returns a result saying nothing was spent.
 *
 * The same handler serves 2025-era clients through the SDK's legacy shim, which sends a real
 * elicitation/create where a connection can carry it: the legacy SSE stream (its replies reach the stream's
 * isolate through the D1 mailbox). A stateless 2025 POST has no such return path and never declared
 * capabilities to this instance, so it keeps the allow_paid refusal. Clients without elicitation: likewise.
 */
import {
  type CallToolResult,
  type InputRequiredResult,
  inputRequired,
  inputResponse,
  type McpServer,
  type ServerContext,
} from '@modelcontextprotocol/server';
import * as z from 'zod';
import { base64url } from '../images/signing';
import { type ConfirmedRoute, PaidProviderError } from '../providers/routing';
import type { RequestContext } from './context';
import { clientCapabilitiesOf } from './envelope';
import { REQUEST_STATE_TTL_SECONDS } from './request-state';

/** The key of the one embedded request, in `inputRequests` and on the retry's `inputResponses`. */
export const CONFIRM_PAID = 'confirm_paid';

const PaidState = z.object({
  purpose: z.literal('confirm_paid'),
  nonce: z.string(),
  tool: z.string(),
  args: z.string(),
  provider: z.string(),
  model: z.string(),
  count: z.number().int(),
  cost_usd: z.number().nullable(),
});
type PaidState = z.infer<typeof PaidState>;

export interface PaidCall {
  tool: string;
  /** The call's arguments as parsed; the confirmation holds for exactly these. */
  args: Readonly<Record<string, unknown>>;
  count: number;
}

/** Form elicitation as the client declared it: `form`, or a bare `elicitation: {}` (the pre-mode meaning). */
export function canElicit(server: McpServer, extra: ServerContext): boolean {
  const elicitation = clientCapabilitiesOf(server, extra).elicitation;
  if (typeof elicitation !== 'object' || elicitation === null) return false;
  const modes = elicitation as { form?: unknown; url?: unknown };
  return modes.form !== undefined || modes.url === undefined;
}

/** Key order never changes what was confirmed. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

async function digest(args: Readonly<Record<string, unknown>>): Promise<string> {
  const hash = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(stableJson(args)));
  return base64url(new Uint8Array(hash));
}

function usd(amount: number): string {
  return `$${amount < 0.1 ? amount.toFixed(3) : amount.toFixed(2)}`;
}

function describe(state: Pick<PaidState, 'provider' | 'model' | 'count' | 'cost_usd'>): string {
  const images = state.count === 1 ? 'one image' : `${state.count} images`;
  const cost =
    state.cost_usd === null
      ? 'at a cost this server does not know'
      : `for about ${usd(state.cost_usd * state.count)}${state.count > 1 ? ` (${usd(state.cost_usd)} each)` : ''}`;
  return `${images} with ${state.provider} (${state.model}) ${cost}`;
}

const CONFIRMATION = {
  type: 'object' as const,
  properties: {
    confirm: {
      type: 'boolean' as const,
      title: 'Use the paid provider',
      description: 'Yes to generate and be billed; no to stop without spending anything.',
    },
  },
  required: ['confirm'],
};

function refused(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

async function ask(
  ctx: RequestContext,
  extra: ServerContext,
  call: PaidCall,
  error: PaidProviderError,
  why = '',
): Promise<InputRequiredResult> {
  const state: PaidState = {
    purpose: 'confirm_paid',
    nonce: crypto.randomUUID(),
    tool: call.tool,
    args: await digest(call.args),
    provider: error.providerId,
    model: error.model.id,
    count: call.count,
    cost_usd: error.model.costUsd ?? null,
  };
  return inputRequired({
    inputRequests: {
      [CONFIRM_PAID]: inputRequired.elicit({
        message: `${why}Generate ${describe(state)}? ${state.provider} is a paid provider on this server.`,
        requestedSchema: CONFIRMATION,
      }),
    },
    requestState: await ctx.requestStates.mint(state, extra),
  });
}

/**
 * Runs `run` (which submits the call's jobs), asking first where the call would spend money: see the module
 * comment. `run` gets the confirmed route only after the person said yes to this very call, once.
 */
export async function withPaidConfirmation(
  server: McpServer,
  ctx: RequestContext,
  extra: ServerContext,
  call: PaidCall,
  run: (confirmed?: ConfirmedRoute) => Promise<CallToolResult>,
): Promise<CallToolResult | InputRequiredResult> {
  const echoed = extra.mcpReq.requestState<unknown>();
  if (echoed === undefined) {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof PaidProviderError) || !canElicit(server, extra)) throw error;
      return ask(ctx, extra, call, error);
    }
  }
  // The SDK has verified the seal (or refused the request); what remains is whether it confirms this call.
  const state = PaidState.safeParse(echoed);
  if (!state.success || state.data.tool !== call.tool || state.data.args !== (await digest(call.args)))
    return refused('This requestState confirms a different call: send the call again without requestState.');
  const answer = inputResponse(extra.mcpReq.inputResponses, CONFIRM_PAID);
  const yes = answer.kind === 'elicit' && answer.action === 'accept' && answer.content?.confirm === true;
  if (!yes)
    return refused(
      `Not generated: the paid request (${describe(state.data)}) was declined. Nothing was spent and no job was created.`,
    );
  const expiresAt = Date.now() + REQUEST_STATE_TTL_SECONDS * 1000;
  if (!(await ctx.claimConfirmation(state.data.nonce, expiresAt)))
    return refused('This confirmation was already used: call again without requestState to be asked again.');
  try {
    return await run({ provider: state.data.provider, model: state.data.model });
  } catch (error) {
    // The call now routes elsewhere (a style or the catalogue changed): what was confirmed no longer applies.
    if (!(error instanceof PaidProviderError) || !canElicit(server, extra)) throw error;
    return ask(ctx, extra, call, error, 'The route changed since you confirmed. ');
  }
}
