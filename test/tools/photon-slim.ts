/**
 * Makes src/images/photon-slim.wasm: photon's WebAssembly module (the installed @cf-wasm/photon) with every
 * export this server does not call removed, and with them the code only they reach (filters, effects, text
 * drawing and its fonts): about a sixth less to ship and to compile at start-up (issue #16).
 * `wasm-metadce` (Binaryen) does the cutting; the module's imports and the kept functions are untouched, so
 * @cf-wasm/photon's own JavaScript glue runs it (src/images/photon.ts).
 *
 * Run `npm run photon:slim` after updating @cf-wasm/photon, or when src/images/photon.ts exports another
 * photon function (add the wasm exports it calls below: photon_rs.js shows them). The manifest beside the
 * module records what it was made from; test/e2e/photon-wasm.test.ts checks that it still matches.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Binaryen's npm build; the same version makes the same bytes. */
export const BINARYEN = 'binaryen@132.0.0';

/**
 * The wasm exports src/images/photon.ts reaches through photon's glue (lib/photon_rs.js), by glue function:
 * crop, resize, watermark; PhotonImage's constructor, new_from_byteslice, get_width, get_height,
 * get_raw_pixels, get_bytes, get_bytes_jpeg, get_bytes_webp and free. wasm-bindgen's own (memory, the
 * allocator, the start function) are kept by their prefix.
 */
export const KEPT_EXPORTS = [
  'crop',
  'resize',
  'watermark',
  'photonimage_new',
  'photonimage_new_from_byteslice',
  'photonimage_get_width',
  'photonimage_get_height',
  'photonimage_get_raw_pixels',
  'photonimage_get_bytes',
  'photonimage_get_bytes_jpeg',
  'photonimage_get_bytes_webp',
  '__wbg_photonimage_free',
];

const root = new URL('../../', import.meta.url).pathname;
export const SLIM_WASM = join(root, 'src/images/photon-slim.wasm');
export const MANIFEST = join(root, 'src/images/photon-slim.json');

export interface SlimManifest {
  photon: string;
  source_sha256: string;
  binaryen: string;
  kept_exports: string[];
  sha256: string;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The installed photon's version and wasm bytes. */
export function installedPhoton(): { version: string; wasm: Buffer } {
  const require = createRequire(join(root, 'package.json'));
  const pkg = require('@cf-wasm/photon/package.json') as { version: string };
  return { version: pkg.version, wasm: readFileSync(require.resolve('@cf-wasm/photon/photon.wasm')) };
}

/** Cuts the installed photon module down to KEPT_EXPORTS; returns the new module and its manifest. */
export function makeSlim(): { wasm: Buffer; manifest: SlimManifest } {
  const { version, wasm: source } = installedPhoton();
  const module = new WebAssembly.Module(new Uint8Array(source));
  const exports = WebAssembly.Module.exports(module).map((e) => e.name);
  const missing = KEPT_EXPORTS.filter((name) => !exports.includes(name));
  if (missing.length > 0) throw new Error(`@cf-wasm/photon ${version} has no export ${missing.join(', ')}`);
  const kept = (name: string) => KEPT_EXPORTS.includes(name) || name === 'memory' || name.startsWith('__wbindgen');
  // wasm-metadce's graph: one node per export (the roots are kept) and per import; it adds the module's insides.
  const graph = [
    ...exports.map((name) => ({ name: `export:${name}`, export: name, ...(kept(name) && { root: true }) })),
    ...WebAssembly.Module.imports(module).map((i) => ({
      name: `import:${i.module}:${i.name}`,
      import: [i.module, i.name],
    })),
  ];
  const dir = mkdtempSync(join(tmpdir(), 'photon-slim-'));
  try {
    writeFileSync(join(dir, 'graph.json'), JSON.stringify(graph));
    writeFileSync(join(dir, 'in.wasm'), source);
    const args = [
      '--yes',
      '--package',
      BINARYEN,
      '--',
      'wasm-metadce',
      '-f',
      'graph.json',
      'in.wasm',
      '-o',
      'out.wasm',
    ];
    execFileSync('npx', args, { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    const wasm = readFileSync(join(dir, 'out.wasm'));
    const manifest: SlimManifest = {
      photon: version,
      source_sha256: sha256(source),
      binaryen: BINARYEN,
      kept_exports: WebAssembly.Module.exports(new WebAssembly.Module(new Uint8Array(wasm))).map((e) => e.name),
      sha256: sha256(wasm),
    };
    return { wasm, manifest };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function readManifest(): SlimManifest {
  return JSON.parse(readFileSync(MANIFEST, 'utf8')) as SlimManifest;
}

export function committedSha256(): string {
  return sha256(readFileSync(SLIM_WASM));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { wasm, manifest } = makeSlim();
  writeFileSync(SLIM_WASM, wasm);
  writeFileSync(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`src/images/photon-slim.wasm: ${wasm.length} bytes from photon ${manifest.photon}`);
}
