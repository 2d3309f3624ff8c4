/**
 * Queue counting on both sides: the producer binding (send, sendBatch: one operation each, and the
 * messages they carry) and the batches the consumer receives (messages, acks, retries).
 */
import type { Tally } from '../counters';

type TallyOf = () => Tally;

export class CountingQueue implements Queue<unknown> {
  constructor(
    private readonly inner: Queue<unknown>,
    private readonly tally: TallyOf,
  ) {}

  metrics(): Promise<QueueMetrics> {
    return this.inner.metrics();
  }

  send(message: unknown, options?: QueueSendOptions): Promise<QueueSendResponse> {
    const queue = this.tally().queue;
    queue.operations += 1;
    queue.messages += 1;
    return this.inner.send(message, options);
  }

  sendBatch(
    messages: Iterable<MessageSendRequest<unknown>>,
    options?: QueueSendBatchOptions,
  ): Promise<QueueSendBatchResponse> {
    // Counting consumes an iterable, so pass the array on instead.
    const list = [...messages];
    const queue = this.tally().queue;
    queue.operations += 1;
    queue.messages += list.length;
    return this.inner.sendBatch(list, options);
  }
}

function countingMessage(message: Message<unknown>, tally: TallyOf): Message<unknown> {
  return {
    get id() {
      return message.id;
    },
    get timestamp() {
      return message.timestamp;
    },
    get body() {
      return message.body;
    },
    get attempts() {
      return message.attempts;
    },
    ack() {
      tally().consumer.acks += 1;
      message.ack();
    },
    retry(options?: QueueRetryOptions) {
      tally().consumer.retries += 1;
      message.retry(options);
    },
  };
}

export function countingBatch(batch: MessageBatch<unknown>, tally: TallyOf): MessageBatch<unknown> {
  const consumer = tally().consumer;
  consumer.batches += 1;
  consumer.messages += batch.messages.length;
  return {
    queue: batch.queue,
    metadata: batch.metadata,
    messages: batch.messages.map((m) => countingMessage(m, tally)),
    ackAll() {
      tally().consumer.acks += batch.messages.length;
      batch.ackAll();
    },
    retryAll(options?: QueueRetryOptions) {
      tally().consumer.retries += batch.messages.length;
      batch.retryAll(options);
    },
  };
}
