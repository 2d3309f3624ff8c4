/**
 * Peak resident memory of a process, from Linux's /proc: VmHWM is the most the process has held in RAM since
 * it started, or since 5 was last written to its clear_refs (which resets VmHWM to the current VmRSS). Resident
 * size covers the Worker's JavaScript heap and its WebAssembly memory alike, which is the point: a Worker
 * isolate's 128 MB limit counts both, and V8's own heap statistics would miss the second.
 */
import { readFile, writeFile } from 'node:fs/promises';

const MIB = 1024 * 1024;

/** A field of /proc/<pid>/status, in bytes (the kernel reports kB). */
async function statusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = new RegExp(`^${field}:\\s*(\\d+) kB$`, 'm').exec(status)?.[1];
  if (kb === undefined) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(kb) * 1024;
}

export interface PeakMemory {
  /** Resident size just before `work`, in MiB. */
  beforeMb: number;
  /** The highest resident size while `work` ran, in MiB. */
  peakMb: number;
  /** peak − before: what `work` added at its highest, in MiB. */
  addedMb: number;
}

/** Runs `work` with the process's high-water mark reset first; the memory figures and what `work` returned. */
export async function peakDuring<T>(pid: number, work: () => Promise<T>): Promise<PeakMemory & { result: T }> {
  const before = await statusBytes(pid, 'VmRSS');
  await writeFile(`/proc/${pid}/clear_refs`, '5');
  const result = await work();
  const peak = await statusBytes(pid, 'VmHWM');
  return { beforeMb: before / MIB, peakMb: peak / MIB, addedMb: Math.max(0, peak - before) / MIB, result };
}
