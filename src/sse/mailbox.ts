/**
 * The D1 mailbox of the legacy SSE transport. The isolate that holds a stream is not necessarily the one
 * that receives the client's POST, so a POST it cannot deliver in memory is written here and the stream's
 * isolate collects it.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/server';

export class SseMailbox {
  constructor(private readonly db: D1Database) {}

  async open(sessionId: string, subject: string, expiresAt: number): Promise<void> {
    await this.db
      .prepare('INSERT INTO sse_sessions (id, subject, expires_at) VALUES (?, ?, ?)')
      .bind(sessionId, subject, expiresAt)
      .run();
  }

  /** Queues a message for a live session of this subject; false when there is no such session. */
  async post(sessionId: string, subject: string, message: JSONRPCMessage, now: number): Promise<boolean> {
    const result = await this.db
      .prepare(
        `INSERT INTO sse_messages (session_id, body, created_at)
         SELECT id, ?, ? FROM sse_sessions WHERE id = ? AND subject = ? AND expires_at > ?`,
      )
      .bind(JSON.stringify(message), now, sessionId, subject, now)
      .run();
    return result.meta.changes > 0;
  }

  async exists(sessionId: string, subject: string, now: number): Promise<boolean> {
    const row = await this.db
      .prepare('SELECT 1 AS ok FROM sse_sessions WHERE id = ? AND subject = ? AND expires_at > ?')
      .bind(sessionId, subject, now)
      .first();
    return row !== null;
  }

  /** Removes and returns the session's waiting messages, oldest first. */
  async take(sessionId: string): Promise<JSONRPCMessage[]> {
    const { results } = await this.db
      .prepare('DELETE FROM sse_messages WHERE session_id = ? RETURNING seq, body')
      .bind(sessionId)
      .all<{ seq: number; body: string }>();
    return results.sort((a, b) => a.seq - b.seq).map((r) => JSON.parse(r.body) as JSONRPCMessage);
  }

  async close(sessionId: string): Promise<void> {
    await this.db.batch([
      this.db.prepare('DELETE FROM sse_sessions WHERE id = ?').bind(sessionId),
      this.db.prepare('DELETE FROM sse_messages WHERE session_id = ?').bind(sessionId),
    ]);
  }

  /** Drops sessions whose stream is long gone (the isolate died without closing them) and their messages. */
  async sweep(now: number): Promise<void> {
    await this.db.batch([
      this.db.prepare('DELETE FROM sse_sessions WHERE expires_at <= ?').bind(now),
      this.db.prepare('DELETE FROM sse_messages WHERE session_id NOT IN (SELECT id FROM sse_sessions)'),
    ]);
  }
}
