/**
 * src/images/photon-slim.wasm is what test/tools/photon-slim.ts makes from the installed @cf-wasm/photon: its
 * manifest names the very module it was cut from, and the file is the one the manifest describes. After a photon
 * update this fails until `npm run photon:slim` is run (and the image tests then show whether anything broke).
 */

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { committedSha256, installedPhoton, KEPT_EXPORTS, readManifest, SLIM_WASM } from '../tools/photon-slim';

describe('the cut-down photon module', () => {
  it('was made from the installed @cf-wasm/photon and is the file its manifest describes', () => {
    const manifest = readManifest();
    const installed = installedPhoton();
    expect(manifest.photon, 'run npm run photon:slim after updating @cf-wasm/photon').toBe(installed.version);
    expect(manifest.source_sha256).toBe(createHash('sha256').update(installed.wasm).digest('hex'));
    expect(committedSha256()).toBe(manifest.sha256);
  });

  it('exports what the glue calls, and much less than the full module', () => {
    const slim = new WebAssembly.Module(new Uint8Array(readFileSync(SLIM_WASM)));
    const names = WebAssembly.Module.exports(slim).map((e) => e.name);
    expect(names).toEqual(expect.arrayContaining(KEPT_EXPORTS));
    const full = WebAssembly.Module.exports(new WebAssembly.Module(new Uint8Array(installedPhoton().wasm)));
    expect(names.length).toBeLessThan(full.length / 5);
    // The imports it keeps are a subset of the full module's: photon's glue provides them all.
    const fullImports = new Set(
      WebAssembly.Module.imports(new WebAssembly.Module(new Uint8Array(installedPhoton().wasm))).map(
        (i) => `${i.module}.${i.name}`,
      ),
    );
    for (const i of WebAssembly.Module.imports(slim)) expect(fullImports).toContain(`${i.module}.${i.name}`);
  });
});
