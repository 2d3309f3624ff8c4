/**
 * A live legacy-SSE session: the loop that runs for as long as the stream is open, in the request that
 * opened it. It takes client messages from the in-isolate inbox (fast path, when the POST landed in this
 * isolate) and from the D1 mailbox (when it landed elsewhere), keeps the stream alive, and ends the stream
 * at its lifetime cap once no request is in flight; the client then reconnects and gets a new session.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { log } from '../log';
import type { SseMailbox } from './mailbox';
import type { SseServerTransport } from './transport';

interface LiveSession {
  subject: string;
  push(message: JSONRPCMessage): void;
}

/** Streams held by this isolate. Only a shortcut: every session also exists in D1. */
const live = new Map<string, LiveSession>();

/** Hands a message to a stream held by this isolate; false if the session is not here (or not the caller's). */
export function deliverLocally(sessionId: string, subject: string, message: JSONRPCMessage): boolean {
  const session = live.get(sessionId);
  if (!session || session.subject !== subject) return false;
  session.push(message);
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
  pollMs?: { first: number; max: number };
}

export async function runSession(options: SessionOptions): Promise<void> {
  const { transport, mailbox } = options;
  const id = transport.sessionId;
  const { first, max } = options.pollMs ?? { first: 100, max: 2000 };
  const keepAliveMs = options.keepAliveMs ?? 20_000;
  const inbox: JSONRPCMessage[] = [];
  let wake: (() => void) | undefined;
  live.set(id, {
    subject: options.subject,
    push(message) {
      inbox.push(message);
      wake?.();
    },
  });

  const started = Date.now();
  const capAt = started + options.maxStreamMs;
  const hardStopAt = capAt + (options.drainMs ?? 60_000);
  let delay = first;
  let lastWrite = started;
  try {
    while (!transport.isClosed) {
      const messages = inbox.splice(0);
      try {
        messages.push(...(await mailbox.take(id)));
      } catch (error) {
        log.warn('sse mailbox read failed', { session: id, error: String(error) });
      }
      for (const message of messages) transport.deliver(message);
      delay = messages.length > 0 ? first : Math.min(max, Math.round(delay * 1.5));

      const now = Date.now();
      if ((now >= capAt && transport.inFlight.size === 0) || now >= hardStopAt) break;
      if (now - lastWrite >= keepAliveMs) {
        if (!transport.write(': keep-alive\n\n')) break;
        lastWrite = now;
      }
      if (inbox.length > 0) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(delay, Math.max(1, capAt - now) || delay));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
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
