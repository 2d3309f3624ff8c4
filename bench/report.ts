/** The shape of a bench run's results, and how they are shown: a markdown table and bench/results/*.json. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { dirname, join } from 'node:path';
import { root } from './dev-server.ts';

export interface Target {
  op: '<=' | '>=';
  value: number;
}

export interface Figure {
  metric: string;
  value: number | null;
  unit: string;
  target?: Target;
}

export interface ScenarioResult {
  id: number;
  title: string;
  status: 'ok' | 'pending' | 'failed';
  figures: Figure[];
  /** One line each, under the table: how a figure was measured or what bounds it. */
  notes: string[];
  /** Everything else measured, for the JSON only. */
  details?: Record<string, unknown>;
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  wrangler: string;
  /** 1-minute load average when the run started: how busy the shared machine already was. */
  loadAverage: number;
}

export interface BenchReport {
  mode: 'full' | 'quick';
  date: string;
  durationSeconds: number;
  machine: Machine;
  warnings: string[];
  scenarios: ScenarioResult[];
}

export function figure(metric: string, value: number | null, unit: string, target?: Target): Figure {
  return target ? { metric, value, unit, target } : { metric, value, unit };
}

export function machineInfo(): Machine {
  const pkg = JSON.parse(readFileSync(join(root, 'node_modules/wrangler/package.json'), 'utf8')) as {
    version: string;
  };
  // /proc/cpuinfo's model name can be vague on VMs ("AMD EPYC"); lscpu sometimes knows more.
  let cpu = cpus()[0]?.model.trim() ?? 'unknown';
  try {
    const lscpu = execFileSync('lscpu', { encoding: 'utf8' });
    const model = /^Model name:\s*(.+)$/m.exec(lscpu)?.[1]?.trim();
    if (model && model.length > cpu.length) cpu = model;
  } catch {
    // no lscpu: keep what node reports
  }
  return {
    cpu,
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()}`,
    node: process.version,
    wrangler: pkg.version,
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
  };
}

/** Quick mode checks only that each scenario completes, so it passes no judgement on any figure. */
function verdict(f: Figure, mode: BenchReport['mode']): string {
  if (mode === 'quick' || !f.target || f.value === null) return '';
  const met = f.target.op === '<=' ? f.value <= f.target.value : f.value >= f.target.value;
  return met ? 'met' : '**missed**';
}

function formatNumber(value: number): string {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits });
}

function formatValue(value: number | null, unit: string): string {
  if (value === null) return 'n/a';
  return unit === '×' ? `${formatNumber(value)}×` : `${formatNumber(value)} ${unit}`.trim();
}

export function markdownTable(report: BenchReport): string {
  const lines = ['| # | scenario | metric | value | target | |', '|---|---|---|---|---|---|'];
  for (const s of report.scenarios) {
    if (s.status !== 'ok') {
      lines.push(`| ${s.id} | ${s.title} | — | ${s.status}: ${s.notes[0] ?? ''} | | |`);
      continue;
    }
    s.figures.forEach((f, i) => {
      const target = f.target ? `${f.target.op === '<=' ? '≤' : '≥'} ${formatValue(f.target.value, f.unit)}` : '';
      const name = i === 0 ? s.title : '';
      lines.push(
        `| ${i === 0 ? s.id : ''} | ${name} | ${f.metric} | ${formatValue(f.value, f.unit)} | ${target} | ${verdict(f, report.mode)} |`,
      );
    });
  }
  return lines.join('\n');
}

export function notesText(report: BenchReport): string {
  const lines: string[] = [];
  for (const s of report.scenarios) {
    const notes = s.status === 'ok' ? s.notes : s.notes.slice(1);
    for (const note of notes) lines.push(`- (${s.id}) ${note}`);
  }
  for (const warning of report.warnings) lines.push(`- warning: ${warning}`);
  return lines.join('\n');
}

export function machineLine(report: BenchReport): string {
  const m = report.machine;
  return (
    `${report.mode} run, ${report.date}, ${report.durationSeconds} s: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ` +
    `${m.os}, node ${m.node}, wrangler ${m.wrangler}, load average ${m.loadAverage} at start`
  );
}

export async function writeReport(report: BenchReport, path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
}
