/**
 * What the bench build of the Worker counts, per entry point, as GET /__bench/counters returns it.
 * Plain data shared by the Worker side and the harness, so both agree on the shape.
 */

export const ORIGINS = ['fetch', 'queue', 'scheduled'] as const;
export type Origin = (typeof ORIGINS)[number];

// Type aliases rather than interfaces: they are assignable to Record<string, number>, which sums them.
export type D1Tally = {
  /** Statements executed, each statement of a batch too. */
  statements: number;
  /** Round trips: a batch of ten statements is one. */
  calls: number;
  rowsRead: number;
  rowsWritten: number;
  changes: number;
};

export type R2Tally = { put: number; get: number; head: number; list: number; delete: number; other: number };

/** Producer side: a sendBatch is one operation however many messages it carries. */
export type QueueTally = { operations: number; messages: number };

export type ConsumerTally = { batches: number; messages: number; acks: number; retries: number };

export interface Tally {
  d1: D1Tally;
  /** Statements by verb and table, e.g. "UPDATE jobs", to see which ones a path runs. */
  statements: Record<string, number>;
  r2: R2Tally;
  queue: QueueTally;
  consumer: ConsumerTally;
}

export interface CountersSnapshot {
  /** Random per isolate: if it changes between two reads, the Worker was reloaded and the counts restarted. */
  isolate: string;
  origins: Record<Origin, Tally>;
}

export function emptyTally(): Tally {
  return {
    d1: { statements: 0, calls: 0, rowsRead: 0, rowsWritten: 0, changes: 0 },
    statements: {},
    r2: { put: 0, get: 0, head: 0, list: 0, delete: 0, other: 0 },
    queue: { operations: 0, messages: 0 },
    consumer: { batches: 0, messages: 0, acks: 0, retries: 0 },
  };
}

function add(into: Record<string, number>, from: Record<string, number>): void {
  for (const [key, value] of Object.entries(from)) into[key] = (into[key] ?? 0) + value;
}

/** The sum of several tallies, e.g. the request path plus the queue consumer for one image. */
export function sumTallies(tallies: readonly Tally[]): Tally {
  const total = emptyTally();
  for (const t of tallies) {
    add(total.d1, t.d1);
    add(total.statements, t.statements);
    add(total.r2, t.r2);
    add(total.queue, t.queue);
    add(total.consumer, t.consumer);
  }
  return total;
}

/** "UPDATE jobs", "SELECT settings": enough to tell statements apart without their parameters. */
export function statementLabel(sql: string): string {
  const verb = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? '?';
  const table = /\b(?:FROM|INTO|UPDATE)\s+(\w+)/i.exec(sql)?.[1] ?? '?';
  return `${verb} ${table}`;
}
