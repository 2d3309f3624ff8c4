/** Starts the provider fakes (Node HTTP servers) that the Worker under test calls on loopback. */
import type { TestProject } from 'vitest/node';
import { fakeProviderVars, startFakes } from '../fakes/all';

declare module 'vitest' {
  export interface ProvidedContext {
    providerVars: Record<string, string>;
    /** The AI Gateway fake's origin: AI_GATEWAY_URL for tests that route providers through a gateway. */
    aiGatewayUrl: string;
    /** The fake OpenID Connect provider's issuer, for OIDC_ISSUER in the sign-in tests. */
    oidcIssuer: string;
  }
}

export default async function setup(project: TestProject) {
  const fakes = await startFakes();
  project.provide('providerVars', fakeProviderVars(fakes));
  project.provide('aiGatewayUrl', `${fakes.aiGateway.url}/v1`);
  project.provide('oidcIssuer', fakes.oidc.url);
  return () => fakes.close();
}
