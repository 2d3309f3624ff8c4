/**
 * A legacy SSE stream ends soon after its client vanishes without closing the connection (a killed process:
 * the socket is reset, no FIN): the session loop stops polling D1 and its session stops accepting POSTs.
 * Before the keep-alive became a 2 s liveness probe this took the second 20 s keep-alive, about 40 s.
 */
import { connect } from 'node:net';
import { describe, expect, inject, it } from 'vitest';
import { TOKENS } from '../helpers/tokens';

const baseUrl = new URL(inject('baseUrl'));

/** Opens GET /sse on a raw socket and returns its session id with the socket, still open. */
async function openStream() {
  const socket = connect(Number(baseUrl.port), baseUrl.hostname);
  socket.write(
    `GET /sse HTTP/1.1\r\nHost: ${baseUrl.host}\r\nAuthorization: Bearer ${TOKENS.alice}\r\n` +
      'Accept: text/event-stream\r\n\r\n',
  );
  let received = '';
  const sessionId = await new Promise<string>((resolve, reject) => {
    socket.on('data', (chunk) => {
      received += chunk.toString();
      const match = /sessionId=([0-9a-f-]{36})/.exec(received);
      if (match) resolve(match[1]!);
    });
    socket.on('error', reject);
  });
  return { socket, sessionId };
}

const post = (sessionId: string) =>
  fetch(`${baseUrl.origin}/sse/message?sessionId=${sessionId}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKENS.alice}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });

describe('SSE stream whose client vanished', () => {
  it('ends within seconds, not at the next keep-alives', async () => {
    const { socket, sessionId } = await openStream();
    expect((await post(sessionId)).status).toBe(202);
    socket.resetAndDestroy();
    // Ended: the session's row is gone, so a POST for it is refused. Bounded well under the old ~40 s.
    let status = 202;
    for (let i = 0; i < 60 && status === 202; i++) {
      await new Promise((r) => setTimeout(r, 250));
      status = (await post(sessionId)).status;
    }
    expect(status).toBe(404);
  }, 30_000);
});
