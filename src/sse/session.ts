/**
 * A live legacy-SSE session: the loop that runs for as long as the stream is open, in the request that
 * opened it. It takes client messages from the in-isolate inbox (fast path, when the POST landed in this
 * isolate) and from the D1 mailbox (when it landed elsewhere), keeps the stream alive, and ends the stream
 * at its lifetime cap once no request is in flight; the client then reconnects and gets a new session.
 *
 * workerd does not let one request settle a promise that another request awaits, so a POST cannot wake
 * this loop directly: the loop looks at the in-memory inbox on a timer of its own instead, and reads D1 on a
 * slower schedule. Both start fast after each message and slow down while the session is idle: every wake-up
 * costs CPU, and an open stream is one invocation whose CPU adds up for as long as it lasts (`npm run bench`,
 * scenario 7, measured 20 ms ticks at over 100 ms of CPU per idle 20 s).
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import { log } from '../log';
import type { SseMailbox } from './mailbox';
import type { SseServerTransport } from './transport';

interface LiveSession {
  subject: string;
  inbox: JSONRPCMessage[];
}

/** Streams held by this isolate. Only a shortcut: every session also exists in D1. */
const live = new Map<string, LiveSession>();

/** Hands a message to a stream held by this isolate; false if the session is not here (or not the caller's). */
export function deliverLocally(sessionId: string, subject: string, message: JSONRPCMessage): boolean {
  const session = live.get(sessionId);
  if (!session || session.subject !== subject) return false;
  session.inbox.push(message);
  return true;
}

export interface SessionOptions {
  transport: SseServerTransport;
  mailbox: SseMailbox;
  subject: string;
  maxStreamMs: number;
  /** After the cap, how long to wait for in-flight requests before closing anyway. */
  drainMs?: number;
  keepAliveMs?: number;
  /** How often the in-memory inbox is looked at: first after activity, growing by half each idle tick up to max. */
  tickMs?: number | { first: number; max: number };
  /** D1 mailbox reads: first interval after activity, growing by half each time up to max. */
  pollMs?: { first: number; max: number };
}

/**
 * 20 ms after a message, up to 250 ms when idle: a message posted to this isolate waits at most a quarter of a
 * second after a quiet spell, and an idle stream wakes 4 times a second instead of 50.
 */
const TICKS = { first: 20, max: 250 };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function runSession(options: SessionOptions): Promise<void> {
  const { transport, mailbox } = options;
  const id = transport.sessionId;
  const { first, max } = options.pollMs ?? { first: 100, max: 2000 };
  const ticks =
    typeof options.tickMs === 'number' ? { first: options.tickMs, max: options.tickMs } : (options.tickMs ?? TICKS);
  let tickDelay = ticks.first;
  // A keep-alive is also how the loop learns that the client has gone: the runtime may not say so until a
  // write fails, which takes the second write after the connection dropped (measured under wrangler dev with a
  // client killed mid-stream: 38 s at a 20 s interval, 2.4 s at 2 s). The loop wakes several times a second
  // anyway, so a comment line every 2 s costs a few bytes, and a stream ends within seconds of its client.
  const keepAliveMs = options.keepAliveMs ?? 2_000;
  const session: LiveSession = { subject: options.subject, inbox: [] };
  live.set(id, session);

  const started = Date.now();
  const capAt = started + options.maxStreamMs;
  const hardStopAt = capAt + (options.drainMs ?? 60_000);
  let pollDelay = first;
  let nextPoll = started;
  let lastWrite = started;
  try {
    while (!transport.isClosed) {
      const messages = session.inbox.splice(0);
      let now = Date.now();
      if (now >= nextPoll) {
        try {
          const posted = await mailbox.take(id);
          messages.push(...posted);
          pollDelay = posted.length > 0 ? first : Math.min(max, Math.round(pollDelay * 1.5));
        } catch (error) {
          log.warn('sse mailbox read failed', { session: id, error: String(error) });
        }
        now = Date.now();
        nextPoll = now + pollDelay;
      }
      for (const message of messages) transport.deliver(message);
      if (messages.length > 0) {
        pollDelay = first;
        nextPoll = Math.min(nextPoll, now + first);
        tickDelay = ticks.first;
      } else {
        tickDelay = Math.min(ticks.max, Math.round(tickDelay * 1.5));
      }

      if ((now >= capAt && transport.inFlight.size === 0) || now >= hardStopAt) break;
      if (now - lastWrite >= keepAliveMs) {
        if (!transport.write(':\n\n')) break;
        lastWrite = now;
      }
      await sleep(tickDelay);
    }
  } finally {
    live.delete(id);
    await transport.close();
    await mailbox
      .close(id)
      .catch((error: unknown) => log.warn('sse session cleanup failed', { session: id, error: String(error) }));
  }
}
