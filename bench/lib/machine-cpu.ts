// machine-cpu reads the whole machine's CPU time counters (Linux /proc/stat, in clock ticks of
// 1/100 s): total, busy (all but idle and iowait) and stolen by the host; undefined elsewhere.
// processTreeTicks reads the CPU time of processes and all their descendants (/proc/<pid>/stat),
// so a run can say what SpiceDB and PostgreSQL took rather than lumping them with the rest.
import { readdirSync, readFileSync } from "node:fs";

export interface MachineCpu {
  total: number;
  busy: number;
  steal: number;
}

/** statOf reads a process's parent and CPU ticks (user + system; with `reaped`, its waited-for children's too). */
function statOf(pid: number): { ppid: number; ticks: number; reaped: number } | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces: read after its last ')'.
    const fields = raw.slice(raw.lastIndexOf(")") + 2).split(" ");
    // fields[0] is field 3 (state): ppid is field 4, utime/stime 14/15, cutime/cstime 16/17.
    const at = (field: number) => Number(fields[field - 3]);
    return { ppid: at(4), ticks: at(14) + at(15), reaped: at(16) + at(17) };
  } catch {
    return undefined;
  }
}

/**
 * processTreeTicks is the CPU time (ticks of 1/100 s) of the given processes and every process
 * below them, living or reaped by them; 0 where /proc cannot be read.
 */
export function processTreeTicks(roots: number[]): number {
  let pids: number[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name)).map(Number);
  } catch {
    return 0;
  }
  const stats = new Map<number, { ppid: number; ticks: number; reaped: number }>();
  for (const pid of pids) {
    const stat = statOf(pid);
    if (stat) stats.set(pid, stat);
  }
  const children = new Map<number, number[]>();
  for (const [pid, { ppid }] of stats) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  let total = 0;
  const seen = new Set<number>();
  const walk = (pid: number, root: boolean) => {
    if (seen.has(pid)) return;
    seen.add(pid);
    const stat = stats.get(pid);
    if (!stat) return;
    total += stat.ticks + (root ? stat.reaped : 0);
    for (const child of children.get(pid) ?? []) walk(child, false);
  };
  for (const root of roots) walk(root, true);
  return total;
}

export function machineCpu(): MachineCpu | undefined {
  try {
    // user nice system idle iowait irq softirq steal …
    const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    return { total, busy: fields.slice(0, 8).reduce((a, b) => a + b, 0) - fields[3]! - fields[4]!, steal: fields[7] ?? 0 };
  } catch {
    return undefined;
  }
}
