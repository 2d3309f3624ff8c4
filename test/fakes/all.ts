/** Starts every provider fake; used by the workers tests' and the end-to-end suite's global setup. */
import { startAiGatewayFake } from './ai-gateway.ts';
import { startGeminiFake } from './gemini.ts';
import { startOidcFake } from './oidc.ts';
import { startOpenaiFake } from './openai.ts';
import { startSdWebuiFake } from './sd-webui.ts';
import type { FakeServer } from './server.ts';

export interface Fakes {
  openai: FakeServer;
  gemini: FakeServer;
  sdWebui: FakeServer;
  /** Cloudflare AI Gateway's provider endpoints, in front of the OpenAI and Gemini fakes. */
  aiGateway: FakeServer;
  /** An OpenID Connect provider, for sign-in through OIDC_ISSUER (not configured by default). */
  oidc: FakeServer;
}

/** Recognisable fake secrets: the suites scan what they capture for them. */
export const FAKE_SECRETS = {
  OPENAI_API_KEY: 'sk-test-openai-secret-0123456789',
  GEMINI_API_KEY: 'test-gemini-secret-0123456789',
  SD_WEBUI_AUTH: 'sduser:sd-secret-password-0123',
};

export async function startFakes(): Promise<Fakes & { close(): Promise<void> }> {
  const [openai, gemini, sdWebui, oidc] = await Promise.all([
    startOpenaiFake(),
    startGeminiFake(),
    startSdWebuiFake(),
    startOidcFake(),
  ]);
  const aiGateway = await startAiGatewayFake({ openai: openai.url, gemini: gemini.url });
  return {
    openai,
    gemini,
    sdWebui,
    aiGateway,
    oidc,
    close: async () => {
      await Promise.all([openai.close(), gemini.close(), sdWebui.close(), aiGateway.close(), oidc.close()]);
    },
  };
}

/** The Worker settings that point every provider at its fake. */
export function fakeProviderVars(fakes: Fakes): Record<string, string> {
  return {
    ...FAKE_SECRETS,
    OPENAI_BASE_URL: `${fakes.openai.url}/v1`,
    GEMINI_BASE_URL: fakes.gemini.url,
    SD_WEBUI_URL: fakes.sdWebui.url,
  };
}
