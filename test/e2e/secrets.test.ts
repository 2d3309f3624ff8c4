/**
 * Secrets never leak: the suite runs the Worker with recognisable fake provider keys, tokens and signing
 * key, drives every provider through success and each kind of failure, then scans everything captured —
 * tool results, HTTP bodies and headers, every job row, and the Worker's own log — for any of them.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { FAKE_SECRETS } from '../fakes/all';
import { TOKENS } from '../helpers/tokens';
import { E2E_SIGNING_KEY } from './global-setup';
import { d1Execute } from './wrangler-dev';

const baseUrl = inject('baseUrl');
const persistDir = inject('persistDir');
const devLog = inject('devLog');

/** Each secret, and the parts of it that a careless message could still carry. */
const SECRETS = [
  ...Object.values(FAKE_SECRETS),
  // SD WebUI's user:password: the password alone, and as HTTP Basic credentials.
  FAKE_SECRETS.SD_WEBUI_AUTH.split(':')[1]!,
  btoa(FAKE_SECRETS.SD_WEBUI_AUTH),
  ...Object.values(TOKENS),
  E2E_SIGNING_KEY,
];

const captured: string[] = [];
let nextId = 1;

async function capture(response: Response): Promise<string> {
  const text = await response.text();
  response.headers.forEach((value, name) => {
    captured.push(`${name}: ${value}`);
  });
  captured.push(text);
  return text;
}

async function call(name: string, args: Record<string, unknown>): Promise<string> {
  return capture(
    await fetch(`${baseUrl}/mcp`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKENS.alice}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method: 'tools/call', params: { name, arguments: args } }),
    }),
  );
}

describe('secrets', () => {
  it('appear in no tool result, HTTP answer, job row or log line', { timeout: 180_000 }, async () => {
    for (const provider of ['openai', 'gemini', 'sd-webui']) {
      for (const mode of ['', 'FAKE:bad_request ', 'FAKE:content_policy ', 'FAKE:malformed ', 'FAKE:server_error ']) {
        await call('generate_image_and_wait', {
          prompt: `${mode}a lighthouse`,
          provider,
          aspect_ratio: '1:1',
          timeout_seconds: 20,
        });
      }
    }
    await call('list_providers', { refresh: true });
    await call('list_jobs', { limit: 50 });
    await call('list_generations', { limit: 50 });
    // Failed authentication, a bad origin and a malformed call, which all answer with errors.
    await capture(await fetch(`${baseUrl}/mcp`, { method: 'POST', headers: { Authorization: 'Bearer nope' } }));
    await capture(
      await fetch(`${baseUrl}/mcp`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${TOKENS.alice}`, Origin: 'https://evil.example' },
      }),
    );
    await call('get_job_status', { job_id: '../../settings' });

    const rows = await d1Execute(persistDir, 'SELECT * FROM jobs');
    expect(rows.length).toBeGreaterThan(10);
    captured.push(JSON.stringify(rows));
    const log = readFileSync(devLog, 'utf8');
    // The log really holds the Worker's output (so the scan means something).
    expect(log).toMatch(/job|POST|GET/);
    captured.push(log);

    const everything = captured.join('\n');
    for (const secret of SECRETS) expect(everything.includes(secret), `leaked: ${secret.slice(0, 12)}…`).toBe(false);
  });
});
