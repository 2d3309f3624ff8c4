/**
 * `npm run bench` (and `bench:quick`): starts the bench build of the Worker under `wrangler dev --local`
 * with fresh state, runs the scenarios against it (scenario 8 starts a fresh one per measurement), prints a
 * table and writes the same figures to bench/results/. A scenario that throws is reported as failed and the
 * run exits non-zero; a missed target is only reported.
 */
import { join } from 'node:path';
import { fakeProviderVars, startFakes } from '../test/fakes/all.ts';
import { BenchClient } from './client.ts';
import { root, startBenchDev } from './dev-server.ts';
import {
  type BenchReport,
  machineInfo,
  machineLine,
  markdownTable,
  notesText,
  type ScenarioResult,
  writeReport,
} from './report.ts';
import { bundleAndStartup } from './scenarios/bundle.ts';
import type { BenchContext } from './scenarios/context.ts';
import { cpuPerInvocation } from './scenarios/cpu.ts';
import { footprint } from './scenarios/footprint.ts';
import { generateToImage } from './scenarios/latency.ts';
import { peakMemory } from './scenarios/memory.ts';
import { requestPath } from './scenarios/request-path.ts';
import { throughput } from './scenarios/throughput.ts';
import { transforms } from './scenarios/transforms.ts';

const quick = process.argv.includes('--quick');
/** `--only=2,4` runs just those scenarios (for working on one figure); the report says which ran. */
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',')
  .map(Number);
const wanted = (id: number) => !only || only.includes(id);
/** `--paths=SD WebUI,Gemini inlineData` narrows scenario 8 to the image paths whose names hold one of these. */
const paths = process.argv
  .find((a) => a.startsWith('--paths='))
  ?.slice('--paths='.length)
  .split(',');
/**
 * For scenarios 7 and 8, R2 and Cloudflare Images run in a storage host of their own (bench/storage-host.ts), as
 * on Cloudflare they run outside the isolate; `--storage=local` simulates them inside the measured Worker's
 * process instead, as plain `wrangler dev` does (and as scenarios 1–5 always run).
 */
const localStorage = process.argv.includes('--storage=local');
/** The scenarios that share one server. */
const SHARED = [1, 2, 3, 4, 5];
const log = (message: string) => console.error(message);

async function guarded(
  id: number,
  title: string,
  scenario: () => Promise<ScenarioResult>,
): Promise<ScenarioResult | undefined> {
  if (!wanted(id)) return undefined;
  log(`== ${id}. ${title}`);
  const started = performance.now();
  try {
    return await scenario();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(`   failed: ${message}`);
    return { id, title, status: 'failed', figures: [], notes: [message.split('\n')[0] ?? message] };
  } finally {
    log(`   ${Math.round((performance.now() - started) / 1000)} s`);
  }
}

async function main(): Promise<number> {
  const started = Date.now();
  const machine = machineInfo();
  const results: Array<ScenarioResult | undefined> = [];
  const warnings: string[] = [];
  // Build-time figures first, while no dev server competes for the CPU.
  results.push(await guarded(6, 'Bundle and start-up', () => bundleAndStartup(quick)));

  log('== starting the provider fakes');
  const fakes = await startFakes();
  const startServer = (storage: boolean) =>
    startBenchDev({ script: 'bench/worker.ts', vars: fakeProviderVars(fakes), storage });
  // Scenarios on one server, with a check that the Worker was not reloaded meanwhile (wrangler dev reloads it
  // when a source file changes, which restarts the counts mid-run).
  const onServer = async (storage: boolean, scenarios: (ctx: BenchContext) => Promise<void>) => {
    const server = await startServer(storage);
    try {
      const client = new BenchClient(server.url);
      const isolate = (await client.counters()).isolate;
      await scenarios({ client, server, quick, log, storageApart: storage });
      if ((await client.counters()).isolate !== isolate) {
        warnings.push('the Worker was reloaded during the run (a source file changed); counts may be incomplete');
      }
    } finally {
      await server.stop();
    }
  };
  try {
    // Latency, throughput and counts as `wrangler dev` serves them, every binding simulated in its process.
    if (SHARED.some(wanted)) {
      log('== starting wrangler dev --local bench/worker.ts');
      await onServer(false, async (ctx) => {
        results.push(await guarded(1, 'Generate-to-image latency', () => generateToImage(ctx)));
        results.push(await guarded(2, 'MCP request path', () => requestPath(ctx)));
        results.push(await guarded(3, 'Throughput', () => throughput(ctx)));
        results.push(await guarded(4, 'Transforms (photon vs sharp)', () => transforms(ctx)));
        results.push(await guarded(5, 'Platform footprint per image', () => footprint(ctx)));
      });
    }
    // CPU and memory of the Worker's process, with R2 and Cloudflare Images outside it as on Cloudflare.
    if (wanted(7)) {
      log(`== starting wrangler dev --local bench/worker.ts${localStorage ? '' : ' and its storage host'}`);
      await onServer(!localStorage, async (ctx) => {
        results.push(await guarded(7, 'CPU per invocation', () => cpuPerInvocation(ctx)));
      });
    }
    // A server of its own for each measurement, once the shared one has stopped.
    results.push(
      await guarded(8, 'Peak memory per image path', () =>
        peakMemory({ quick, log, startServer: () => startServer(!localStorage), paths, storageApart: !localStorage }),
      ),
    );
  } finally {
    await fakes.close();
  }

  const report: BenchReport = {
    mode: quick ? 'quick' : 'full',
    date: new Date(started).toISOString(),
    durationSeconds: Math.round((Date.now() - started) / 1000),
    machine,
    warnings,
    scenarios: results.filter((r) => r !== undefined).sort((a, b) => a.id - b.id),
  };
  const file = join(root, 'bench/results', only || paths ? 'partial.json' : quick ? 'quick.json' : 'latest.json');
  await writeReport(report, file);
  console.log(`\n${machineLine(report)}\n\n${markdownTable(report)}\n\n${notesText(report)}\n\nwritten to ${file}`);
  return report.scenarios.some((s) => s.status === 'failed') ? 1 : 0;
}

process.exitCode = await main();
