/**
 * A live legacy-SSE session: the loop that runs for as long as the stream is open, in the request that
 * opened it. It takes client messages from the in-isolate inbox (fast path, when the POST landed in this
 * isolate) and from the D1 mailbox (when it landed elsewhere), keeps the stream alive, and ends the stream
 * at its lifetime cap once no request is in flight; the client then reconnects and gets a new session.
 *
 * Between those, the loop sleeps: a POST that lands in this isolate wakes it by settling the promise it
 * sleeps on. workerd runs a continuation in the request that created the promise, even when another request
 * settled it (cloudflare/workerd#2719; compatibility flag handle_cross_request_promise_resolution, on from
 * compatibility date 2024-10-14, which wrangler.jsonc's date is past); the stream's request is alive
 * meanwhile, held by its timer. Without that flag the continuation would run in the POST's request, which
 * cannot write to this stream: SSE_FAST_PATH=false then sends every POST through the D1 mailbox.
 *
 * Otherwise the loop wakes only for the D1 mailbox (sooner after activity, slower while idle) and the
 * keep-alive: every wake-up costs CPU, and an open stream is one invocation whose CPU adds up for as long as
 * it lasts (`npm run bench`, scenario 7: a 20 ms timer cost over 100 ms of CPU per idle 20 s, a 250 ms one
 * 23–38 ms).
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import { log } from '../log';
import type { SseMailbox } from './mailbox';
import type { SseServerTransport } from './transport';

interface LiveSession {
  subject: string;
  inbox: JSONRPCMessage[];
  /** Ends the loop's current sleep. */
  wake: () => void;
}

/** Streams held by this isolate. Only a shortcut: every session also exists in D1. */
const live = new Map<string, LiveSession>();

/** Hands a message to a stream held by this isolate; false if the session is not here (or not the caller's). */
export function deliverLocally(sessionId: string, subject: string, message: JSONRPCMessage): boolean {
  const session = live.get(sessionId);
  if (!session || session.subject !== subject) return false;
  session.inbox.push(message);
  session.wake();
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
  /** D1 mailbox reads: first interval after activity, growing by half each time up to max. */
  pollMs?: { first: number; max: number };
}

export async function runSession(options: SessionOptions): Promise<void> {
  const { transport, mailbox } = options;
  const id = transport.sessionId;
  const { first, max } = options.pollMs ?? { first: 100, max: 2000 };
  // A keep-alive is also how the loop learns that the client has gone: the runtime may not say so until a
  // write fails, which takes the second write after the connection dropped (measured under wrangler dev with a
  // client killed mid-stream: 38 s at a 20 s interval, 2.4 s at 2 s). The loop wakes every 2 s for the D1
  // mailbox anyway, so a comment line as often costs a few bytes, and a stream ends within seconds of its client.
  const keepAliveMs = options.keepAliveMs ?? 2_000;
  let wake: (() => void) | undefined;
  const session: LiveSession = {
    subject: options.subject,
    inbox: [],
    wake() {
      wake?.();
    },
  };
  live.set(id, session);
  // Past the cap, the loop waits for the last answer; and it ends as soon as the stream does.
  transport.onchange = session.wake;

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
      }

      // Past the cap, a message that arrived while the mailbox was read is still delivered (and answered) first.
      const drained = transport.inFlight.size === 0 && session.inbox.length === 0;
      if ((now >= capAt && drained) || now >= hardStopAt) break;
      if (now - lastWrite >= keepAliveMs) {
        if (!transport.write(':\n\n')) break;
        lastWrite = now;
      }
      // What happened while the mailbox was read: a message, or the stream's end (no sleep to cut short then).
      if (session.inbox.length > 0 || transport.isClosed) continue;
      const until = Math.min(nextPoll, lastWrite + keepAliveMs, now >= capAt ? hardStopAt : capAt);
      // The timer is cleared here, in this request; a POST's request only settles the wake-up promise.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        new Promise<void>((resolve) => {
          wake = resolve;
        }),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, Math.max(0, until - now));
        }),
      ]);
      clearTimeout(timer);
      wake = undefined;
    }
  } finally {
    live.delete(id);
    await transport.close();
    await mailbox
      .close(id)
      .catch((error: unknown) => log.warn('sse session cleanup failed', { session: id, error: String(error) }));
  }
}
