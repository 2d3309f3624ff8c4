/** Fake of the sd-webui HTTP API; routes are filled in with its provider. */
import { type FakeServer, startFake } from './server';

export function startSdWebuiFake(): Promise<FakeServer> {
  return startFake('sd-webui', () => undefined);
}
