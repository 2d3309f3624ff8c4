/** Fake of the openai HTTP API; routes are filled in with its provider. */
import { type FakeServer, startFake } from './server';

export function startOpenaiFake(): Promise<FakeServer> {
  return startFake('openai', () => undefined);
}
