import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';

/** Clock ticks per second of the times in /proc/<pid>/stat. */
function clockTicks(): number {
  try {
    const text = execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const ticks = Number(text.trim());
    return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    // Linux has used 100 on every common architecture for decades.
    return 100;
  }
}

const TICKS_PER_SECOND = clockTicks();

/**
 * Reads the user plus system CPU time of a process, in seconds, from
 * fields 14 and 15 of /proc/<pid>/stat. The command name in field 2 may
 * contain spaces, so fields are counted from its closing parenthesis.
 */
export function cpuSeconds(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / TICKS_PER_SECOND;
}

/** Reads a `kB` line of /proc/<pid>/status, such as VmHWM, in bytes. */
function statusBytes(pid: number, key: string): number {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
  if (!match) throw new Error(`/proc/${pid}/status has no ${key} line`);
  return Number(match[1]) * 1024;
}

/** Peak resident set size of a process so far (VmHWM), in bytes. */
export function peakRssBytes(pid: number): number {
  return statusBytes(pid, 'VmHWM');
}

/** The machine a run measured, for the results file and BENCHMARKS.md. */
export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  memoryBytes: number;
  node: string;
  loadAverage: number[];
}

function cpuModel(): string {
  try {
    const text = readFileSync('/proc/cpuinfo', 'utf8');
    return /^model name\s*:\s*(.+)$/m.exec(text)?.[1]?.trim() ?? 'unknown';
  } catch {
    return cpus()[0]?.model ?? 'unknown';
  }
}

function processorCount(): number {
  try {
    return Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    return cpus().length;
  }
}

export function machineInfo(): MachineInfo {
  return {
    nproc: processorCount(),
    cpuModel: cpuModel(),
    memoryBytes: totalmem(),
    node: process.version,
    loadAverage: loadavg(),
  };
}
