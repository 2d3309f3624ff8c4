/** Fake of the gemini HTTP API; routes are filled in with its provider. */
import { type FakeServer, startFake } from './server';

export function startGeminiFake(): Promise<FakeServer> {
  return startFake('gemini', () => undefined);
}
