import { readFileSync } from 'node:fs';

/** Linux reports CPU time in clock ticks of 1/100 s (USER_HZ, 100 on every mainstream architecture). */
const MS_PER_TICK = 10;

/**
 * What a process (all its threads) holds and has spent, read from /proc: undefined where /proc is
 * missing (not Linux) or the process is gone. Native allocations (libvips, WebAssembly) count too,
 * which V8's own limits would not see.
 */
export interface ProcessUsage {
  rssBytes: number;
  cpuMs: number;
}

export function processUsage(pid: number): ProcessUsage | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'latin1');
    const rss = /^VmRSS:\s+(\d+) kB/m.exec(status);
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15)
    if (!rss || !Number.isFinite(ticks)) return undefined;
    return { rssBytes: Number(rss[1]) * 1024, cpuMs: ticks * MS_PER_TICK };
  } catch {
    return undefined;
  }
}
