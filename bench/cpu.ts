/**
 * CPU time of the Worker's runtime process, read from Linux's per-thread scheduler statistics. `wrangler dev`
 * starts two workerd processes: a proxy in front, and the one that runs the Worker (the one given the
 * inspector address). Only the second is read. Its CPU includes what the local simulators of D1, R2 and
 * Queues spend inside it, which on Cloudflare is not the Worker's CPU time: so each figure is an upper bound.
 */
import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

/** The Worker's workerd, found from the dev server's unique state directory on the wrangler command line. */
export function workerProcess(persistDir: string): number {
  const table = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! }));
  const roots = new Set(table.filter((p) => p.args.includes(persistDir)).map((p) => p.pid));
  // Everything below the wrangler processes that carry the state directory.
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of table)
      if (roots.has(p.ppid) && !roots.has(p.pid)) {
        roots.add(p.pid);
        grew = true;
      }
  }
  const runtimes = table.filter((p) => roots.has(p.pid) && /\bworkerd serve\b/.test(p.args));
  const worker = runtimes.find((p) => p.args.includes('--inspector-addr')) ?? runtimes[0];
  if (!worker) throw new Error(`no workerd process found for ${persistDir}`);
  return worker.pid;
}

/** Nanoseconds of CPU the process's threads have used: the first field of each /proc/<pid>/task/<tid>/schedstat. */
export async function cpuNanos(pid: number): Promise<number> {
  let total = 0;
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    try {
      total += Number((await readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8')).split(' ')[0]);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return total;
}

export interface CpuMeter {
  /** CPU ms used while `work` ran, less what the process uses when idle over the same wall time. */
  during(work: () => Promise<unknown>): Promise<{ cpuMs: number; wallMs: number }>;
}

/** Learns the idle rate once (timers, the simulators' housekeeping), then measures. */
export async function cpuMeter(pid: number, idleSampleMs = 2000): Promise<CpuMeter> {
  const start = await cpuNanos(pid);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, idleSampleMs));
  const idleNanosPerMs = ((await cpuNanos(pid)) - start) / (performance.now() - t0);
  return {
    async during(work) {
      const before = await cpuNanos(pid);
      const started = performance.now();
      await work();
      const wallMs = performance.now() - started;
      const used = (await cpuNanos(pid)) - before - idleNanosPerMs * wallMs;
      return { cpuMs: Math.max(0, used) / 1e6, wallMs };
    },
  };
}
