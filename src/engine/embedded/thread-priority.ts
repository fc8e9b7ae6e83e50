// thread-priority: the embedded engine computes checks on threads of this very process (SpiceDB's
// Go runtime, and the libuv pool threads that call into it). On a small machine they compete
// with the event loop for the same cores, and a loop that waits for a core delays every request
// — the cheap ones answered from the cache too. Linux schedules threads one by one, so the
// engine's threads can run at a lower priority (a higher nice value) than the event loop: the
// loop then gets a core whenever it has work, and the engine gets all the rest. Raising a nice
// value needs no privilege.
import { readdirSync } from "node:fs";
import { getPriority, setPriority } from "node:os";

/** threadIds lists this process's threads (Linux); empty elsewhere. */
export function threadIds(): number[] {
  try {
    return readdirSync("/proc/self/task").map(Number);
  } catch {
    return [];
  }
}

export interface ThreadPriority {
  /** Live threads lowered so far. */
  lowered(): number;
  stop(): void;
}

/**
 * lowerThreadPriority sets `nice` on every thread of this process except the main thread and
 * those in `keep`, now and every `everyMs` after (threads the Go runtime starts later). A thread
 * already at that nice value or lower in priority is left as it is.
 */
export function lowerThreadPriority(options: { nice: number; keep?: ReadonlySet<number>; everyMs?: number }): ThreadPriority {
  let done = new Set<number>();
  const sweep = () => {
    const live = threadIds();
    // Forget threads that ended, so a long-lived process does not keep their ids.
    done = new Set(live.filter((tid) => done.has(tid)));
    for (const tid of live) {
      if (tid === process.pid || options.keep?.has(tid) || done.has(tid)) continue;
      try {
        if (getPriority(tid) < options.nice) setPriority(tid, options.nice);
        done.add(tid);
      } catch {
        // The thread ended meanwhile, or the platform has no per-thread priority.
      }
    }
  };
  sweep();
  const timer = setInterval(sweep, options.everyMs ?? 1000);
  timer.unref();
  return { lowered: () => done.size, stop: () => clearInterval(timer) };
}
