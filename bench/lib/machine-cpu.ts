// machine-cpu reads the whole machine's CPU time counters (Linux /proc/stat, in clock ticks of
// 1/100 s): total, busy (all but idle and iowait) and stolen by the host; undefined elsewhere.
import { readFileSync } from "node:fs";

export interface MachineCpu {
  total: number;
  busy: number;
  steal: number;
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
