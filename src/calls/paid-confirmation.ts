/**
 * Asking the person before spending money (the Python server's elicitation feature, made stateless). A call
 * that would run on a provider listed in PAID_PROVIDERS without `allow_paid`, from a client that declares
 * form elicitation, answers `input_required` (2026-07-28 multi round-trip, SEP-2322) with one question that
 * names provider, model, image count and estimated cost. The client retries with the answer and the sealed
 * `requestState` (request-state.ts: HMAC, ten minutes, bound to the subject); the state is also bound to the
 * tool and its exact arguments, so it confirms this call and no other. Accept runs the call with allow_paid;
 * decline or cancel returns a result saying nothing was spent.
 *
 * The same handler serves 2025-era clients through the SDK's legacy shim, which sends a real
 * elicitation/create where a connection can carry it: the legacy SSE stream (its replies reach the stream's
 * isolate through the D1 mailbox). A stateless 2025 POST has no such return path and never declared
 * capabilities to this instance, so it keeps the allow_paid refusal. Clients without elicitation: likewise.
 */
import {
  type CallToolResult,
  CLIENT_CAPABILITIES_META_KEY,
  type InputRequiredResult,
  inputRequired,
  inputResponse,
  type McpServer,
  ProtocolError,
  ProtocolErrorCode,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import { PaidProviderError } from '../providers/routing';
import type { RequestContext } from './context';
import { envelopeValue } from './envelope';

/** The key of the one embedded request, in `inputRequests` and on the retry's `inputResponses`. */
export const CONFIRM_PAID = 'confirm_paid';

const PaidState = z.object({
  purpose: z.literal('confirm_paid'),
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
function declaresFormElicitation(capabilities: unknown): boolean {
  const elicitation = (capabilities as { elicitation?: unknown } | undefined)?.elicitation;
  if (typeof elicitation !== 'object' || elicitation === null) return false;
  const modes = elicitation as { form?: unknown; url?: unknown };
  return modes.form !== undefined || modes.url === undefined;
}

function canElicit(server: McpServer, extra: ServerContext): boolean {
  // 2026-07-28: what this request's envelope declares. 2025 era: what initialize declared to this instance
  // (the accessor is the documented one for 2025 connections; a stateless POST never initialized it).
  const declared = envelopeValue(extra, CLIENT_CAPABILITIES_META_KEY) ?? server.server.getClientCapabilities();
  return declaresFormElicitation(declared);
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
  return [...new Uint8Array(hash)].map((b) => b.toString(16).padStart(2, '0')).join('');
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

function declined(state: PaidState): CallToolResult {
  return {
    content: [
      {
        type: 'text',
        text: `Not generated: the paid request (${describe(state)}) was declined. Nothing was spent and no job was created.`,
      },
    ],
    isError: true,
  };
}

/**
 * Runs `run` (which submits the call's jobs), asking first where the call would spend money: see the module
 * comment. `run(true)` (submit with allow_paid) is called only after the person said yes to this very call.
 */
export async function withPaidConfirmation(
  server: McpServer,
  ctx: RequestContext,
  extra: ServerContext,
  call: PaidCall,
  run: (confirmed: boolean) => Promise<CallToolResult>,
): Promise<CallToolResult | InputRequiredResult> {
  const echoed = extra.mcpReq.requestState<unknown>();
  if (echoed !== undefined) {
    // The SDK has verified the seal (or refused the request); what remains is whether it confirms this call.
    const state = PaidState.safeParse(echoed);
    if (!state.success || state.data.tool !== call.tool || state.data.args !== (await digest(call.args)))
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        'This requestState confirms a different call: send the call again without requestState.',
      );
    const answer = inputResponse(extra.mcpReq.inputResponses, CONFIRM_PAID);
    if (answer.kind === 'missing')
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `The retry carries no "${CONFIRM_PAID}" response.`);
    const yes = answer.kind === 'elicit' && answer.action === 'accept' && answer.content?.confirm === true;
    return yes ? run(true) : declined(state.data);
  }
  try {
    return await run(false);
  } catch (error) {
    if (!(error instanceof PaidProviderError) || !canElicit(server, extra)) throw error;
    const state: PaidState = {
      purpose: 'confirm_paid',
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
          message: `Generate ${describe(state)}? ${state.provider} is a paid provider on this server.`,
          requestedSchema: CONFIRMATION,
        }),
      },
      requestState: await ctx.requestStates.mint(state, extra),
    });
  }
}
