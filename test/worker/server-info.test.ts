/** get_server_info: identity, protocol, live providers and the limits callers meet. */
import { describe, expect, it } from 'vitest';
import { callTool, rpc } from '../helpers/mcp';

interface ServerInfo {
  name: string;
  version: string;
  protocol: { request: string | null; supported: string[] };
  providers: Array<{ id: string; available: boolean }>;
  limits: Record<string, unknown>;
}

describe('get_server_info', () => {
  it('reports name, version, protocol, providers and limits', async () => {
    const result = await callTool<ServerInfo>(
      'get_server_info',
      {},
      {
        headers: { 'mcp-protocol-version': '2025-06-18' },
      },
    );
    expect(result.isError).toBeFalsy();
    const info = result.structured;
    expect(info).toMatchObject({
      name: 'imagegen-mcp',
      version: expect.any(String),
      logging: { default_level: 'info' },
    });
    expect(info.protocol.request).toBe('2025-06-18');
    expect(info.protocol.supported).toContain('2025-06-18');
    expect(info.providers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'placeholder', available: true, default_model: 'placeholder' }),
      ]),
    );
    expect(info.limits).toMatchObject({
      max_prompt_chars: 4000,
      max_images_per_call: 20,
      max_edit_variants: 4,
      wait_max_seconds: 50,
      max_body_bytes: 1024 * 1024,
      transforms: { max_output_side: 4096 },
      previews: { max_side: 1024 },
      styles: { max_per_caller: 200 },
      // The test server turns the rate limit off and sets no quota (vitest.config.ts).
      rate_limit: null,
      daily_image_quota: null,
    });
    expect(result.content[0]!.text).toContain('Providers available:');
  });

  it('matches what initialize reports', async () => {
    const init = await rpc('initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'test', version: '1' },
    });
    const info = (await callTool<Record<string, string>>('get_server_info')).structured;
    expect(init.result?.serverInfo).toMatchObject({ name: info.name, version: info.version });
  });
});
