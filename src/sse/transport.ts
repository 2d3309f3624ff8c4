/**
 * The server side of the legacy HTTP+SSE transport (protocol 2024-11-05) on web streams: messages for the
 * client are written as `message` events on the response stream; messages from the client arrive through
 * `deliver`, fed by the session pump.
 */
import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/server';

const encoder = new TextEncoder();

export class SseServerTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  readonly readable: ReadableStream<Uint8Array>;
  /** Ids of requests received and not yet answered, so a closing stream can wait for them. */
  readonly inFlight = new Set<string | number>();
  /** Called when a request in flight is answered and when the stream closes: what the session loop waits for. */
  onchange?: () => void;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private closed = false;

  constructor(readonly sessionId: string) {
    this.readable = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.controller = controller;
      },
      cancel: () => this.finish(),
    });
  }

  async start(): Promise<void> {}

  /** Writes one raw SSE event (or comment); false once the stream is gone. */
  write(chunk: string): boolean {
    if (this.closed) return false;
    try {
      this.controller.enqueue(encoder.encode(chunk));
      return true;
    } catch {
      this.finish();
      return false;
    }
  }

  deliver(message: JSONRPCMessage): void {
    if ('method' in message && 'id' in message) this.inFlight.add(message.id);
    this.onmessage?.(message);
    // A cancelled request gets no answer (the SDK drops it), so the stream stops waiting for one.
    if ('method' in message && message.method === 'notifications/cancelled' && !('id' in message)) {
      const requestId = (message.params as { requestId?: unknown } | undefined)?.requestId;
      if ((typeof requestId === 'string' || typeof requestId === 'number') && this.inFlight.delete(requestId))
        this.onchange?.();
    }
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const answered =
      'id' in message && !('method' in message) && message.id !== undefined && this.inFlight.delete(message.id);
    const written = this.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
    if (answered) this.onchange?.();
    if (!written) throw new Error('The SSE stream is closed.');
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      this.controller.close();
    } catch {
      // already closed by the client
    }
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.();
    this.onchange?.();
  }
}
