/**
 * A D1Database that counts every statement it executes and the rows D1 reports reading and writing
 * (meta.rows_read, meta.rows_written, meta.changes), then behaves exactly like the one it wraps.
 */
import { type D1Tally, statementLabel, type Tally } from '../counters';

type TallyOf = () => Tally;

/** One executed statement; `calls` (round trips) is counted by the caller. */
function record(tally: Tally, sql: string, meta: Partial<D1Meta> | undefined): void {
  const d1: D1Tally = tally.d1;
  d1.statements += 1;
  d1.rowsRead += meta?.rows_read ?? 0;
  d1.rowsWritten += meta?.rows_written ?? 0;
  d1.changes += meta?.changes ?? 0;
  const label = statementLabel(sql);
  tally.statements[label] = (tally.statements[label] ?? 0) + 1;
}

class CountingStatement implements D1PreparedStatement {
  constructor(
    readonly inner: D1PreparedStatement,
    readonly sql: string,
    private readonly tally: TallyOf,
  ) {}

  bind(...values: unknown[]): D1PreparedStatement {
    return new CountingStatement(this.inner.bind(...values), this.sql, this.tally);
  }

  first<T = unknown>(colName: string): Promise<T | null>;
  first<T = Record<string, unknown>>(): Promise<T | null>;
  // D1's first() runs the whole statement and keeps the first row, so all() reads and writes the same
  // rows and, unlike first(), reports them.
  async first<T>(colName?: string): Promise<T | null> {
    const row = (await this.all<Record<string, unknown>>()).results[0];
    if (!row) return null;
    if (colName === undefined) return row as T;
    if (!(colName in row)) throw new Error(`D1_COLUMN_NOTFOUND: Column not found (${colName})`);
    return row[colName] as T;
  }

  async run<T = Record<string, unknown>>(): Promise<D1Result<T>> {
    const result = await this.inner.run<T>();
    this.count(result.meta);
    return result;
  }

  async all<T = Record<string, unknown>>(): Promise<D1Result<T>> {
    const result = await this.inner.all<T>();
    this.count(result.meta);
    return result;
  }

  raw<T = unknown[]>(options: { columnNames: true }): Promise<[string[], ...T[]]>;
  raw<T = unknown[]>(options?: { columnNames?: false }): Promise<T[]>;
  // raw() reports no meta: the statement is counted, its rows are not.
  async raw<T = unknown[]>(options?: { columnNames?: boolean }): Promise<[string[], ...T[]] | T[]> {
    const rows = options?.columnNames
      ? await this.inner.raw<T>({ columnNames: true })
      : await this.inner.raw<T>({ columnNames: false });
    this.count(undefined);
    return rows;
  }

  private count(meta: D1Meta | undefined): void {
    const t = this.tally();
    t.d1.calls += 1;
    record(t, this.sql, meta);
  }
}

/** The statements a batch was given, unwrapped: D1 only accepts its own. */
function unwrap(statements: D1PreparedStatement[]): D1PreparedStatement[] {
  return statements.map((s) => (s instanceof CountingStatement ? s.inner : s));
}

async function countedBatch<T>(
  target: Pick<D1Database, 'batch'>,
  statements: D1PreparedStatement[],
  tally: TallyOf,
): Promise<D1Result<T>[]> {
  const results = await target.batch<T>(unwrap(statements));
  const t = tally();
  t.d1.calls += 1;
  results.forEach((result, i) => {
    const statement = statements[i];
    record(t, statement instanceof CountingStatement ? statement.sql : '?', result.meta);
  });
  return results;
}

class CountingSession implements D1DatabaseSession {
  constructor(
    private readonly raw: D1DatabaseSession,
    private readonly tally: TallyOf,
  ) {}

  prepare(query: string): D1PreparedStatement {
    return new CountingStatement(this.raw.prepare(query), query, this.tally);
  }

  batch<T = unknown>(statements: D1PreparedStatement[]): Promise<D1Result<T>[]> {
    return countedBatch<T>(this.raw, statements, this.tally);
  }

  getBookmark(): D1SessionBookmark | null {
    return this.raw.getBookmark();
  }
}

export class CountingD1 implements D1Database {
  constructor(
    private readonly raw: D1Database,
    private readonly tally: TallyOf,
  ) {}

  prepare(query: string): D1PreparedStatement {
    return new CountingStatement(this.raw.prepare(query), query, this.tally);
  }

  batch<T = unknown>(statements: D1PreparedStatement[]): Promise<D1Result<T>[]> {
    return countedBatch<T>(this.raw, statements, this.tally);
  }

  async exec(query: string): Promise<D1ExecResult> {
    const result = await this.raw.exec(query);
    const t = this.tally();
    t.d1.calls += 1;
    for (let i = 0; i < result.count; i++) record(t, query, undefined);
    return result;
  }

  withSession(constraintOrBookmark?: D1SessionBookmark | D1SessionConstraint): D1DatabaseSession {
    return new CountingSession(this.raw.withSession(constraintOrBookmark), this.tally);
  }

  dump(): Promise<ArrayBuffer> {
    return this.raw.dump();
  }
}
