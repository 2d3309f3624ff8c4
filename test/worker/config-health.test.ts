/**
 * Configuration that cannot work is refused with the setting to fix, and /health says so (503, names only):
 * provider URLs that carry credentials, and any invalid setting.
 */
import { createExecutionContext, env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';
import worker from '../../src/index';
import { fetchWith, toolCall } from '../helpers/app';

async function health(overrides: Record<string, string>) {
  const response = await worker.fetch!(
    new Request('http://localhost/health') as Parameters<NonNullable<typeof worker.fetch>>[0],
    { ...env, ...overrides },
    createExecutionContext(),
  );
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
  };
}

describe('configuration', () => {
  it('refuses provider URLs that carry credentials, naming where they belong and never echoing them', () => {
    const cases: Array<[string, string, RegExp]> = [
      [
        'SD_WEBUI_URL',
        'http://sduser:hunter22@tunnel.example',
        /SD_WEBUI_URL: must not carry credentials.*SD_WEBUI_AUTH/,
      ],
      [
        'OPENAI_BASE_URL',
        'https://key:sk-hunter22@proxy.example/v1',
        /OPENAI_BASE_URL: must not carry credentials.*OPENAI_API_KEY/,
      ],
      [
        'GEMINI_BASE_URL',
        'https://x:hunter22@proxy.example',
        /GEMINI_BASE_URL: must not carry credentials.*GEMINI_API_KEY/,
      ],
    ];
    for (const [name, value, message] of cases) {
      const error = (() => {
        try {
          loadConfig({ [name]: value });
        } catch (e) {
          return e;
        }
      })();
      expect(error, name).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toMatch(message);
      expect((error as ConfigError).message).not.toContain('hunter22');
      expect((error as ConfigError).settings).toEqual([name]);
    }
    expect(
      loadConfig({ SD_WEBUI_URL: 'http://127.0.0.1:7860', SD_WEBUI_AUTH: 'sduser:hunter22' }).providers.sdWebui?.url,
    ).toBe('http://127.0.0.1:7860');
  });
});

describe('/health', () => {
  it('answers ok when the configuration loads', async () => {
    const { status, body } = await health({});
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok' });
  });

  it('answers 503 naming every invalid setting, and none of their values', async () => {
    const { status, body } = await health({
      AUTH_TOKENS: '{"alice": "secret-value-that-must-not-show"',
      SD_WEBUI_URL: 'http://user:another-secret@host.example',
    });
    expect(status).toBe(503);
    expect(body).toMatchObject({ status: 'misconfigured', invalid_settings: ['AUTH_TOKENS', 'SD_WEBUI_URL'] });
    expect(JSON.stringify(body)).not.toMatch(/secret-value|another-secret/);
    const settingError = await health({ DEFAULT_PROVIDER: 'midjourney' });
    expect(settingError).toMatchObject({ status: 503, body: { invalid_settings: ['DEFAULT_PROVIDER'] } });
  });
});

describe('PUBLIC_BASE_URL', () => {
  it('makes every link, whatever Host the request came with', async () => {
    const response = await fetchWith(
      { PUBLIC_BASE_URL: 'https://img.example.com' },
      toolCall('gallery_link', {}, { url: 'http://evil.example/mcp', headers: { host: 'evil.example' } }),
    );
    const reply = (await response.json()) as { result: { structuredContent: { url: string } } };
    expect(reply.result.structuredContent.url).toMatch(/^https:\/\/img\.example\.com\/gallery\?/);
    expect(JSON.stringify(reply)).not.toContain('evil.example');
  });
});
