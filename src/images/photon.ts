/**
 * photon, the WebAssembly image library, as this Worker loads it: @cf-wasm/photon's own JavaScript glue with a
 * module cut down to the functions exported here (photon-slim.wasm, made from the installed @cf-wasm/photon by
 * test/tools/photon-slim.ts; photon-slim.json says from what). The full module is 610 KiB gzipped, most of it
 * filters, effects and text drawing this server never calls; the cut one is about 500, less to ship and to
 * compile when an isolate starts (issue #16). Import this module lazily (`await import('./photon')`): requests
 * that touch no pixels never load it. Calling a photon function not exported here needs the module remade.
 */
import { initPhoton } from '@cf-wasm/photon/others';
import photonWasm from './photon-slim.wasm';

initPhoton.sync({ module: photonWasm });

export { crop, PhotonImage, resize, SamplingFilter, watermark } from '@cf-wasm/photon/others';
