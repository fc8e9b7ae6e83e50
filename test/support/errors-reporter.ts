// errors-reporter records what vitest's JSON report leaves out: errors outside any test (an
// unhandled rejection, a worker that died) fail the run with every test passed. CI passes it
// beside the JSON reporter (.ci/run) with ERRORS_REPORT naming the file; the tally counts each
// error as a failure and prints the first lines of each, so a red run names its cause.
import { writeFileSync } from "node:fs";
import type { Reporter, TestModule } from "vitest/node";

export default class ErrorsReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    const file = process.env.ERRORS_REPORT;
    if (!file) return;
    const failedModules = testModules.filter((m) => m.state() === "failed" && [...m.children.allTests()].every((t) => t.result().state !== "failed"));
    const describe = (err: unknown) => {
      const e = err as { name?: string; message?: string; stack?: string; type?: string };
      return [e.type, e.name, e.message].filter(Boolean).join(": ") + (e.stack ? `\n${e.stack.split("\n").slice(1, 6).join("\n")}` : "");
    };
    const errors = [
      ...unhandledErrors.map(describe),
      ...failedModules.map((m) => `${m.moduleId}: ${m.errors().map(describe).join("; ") || "failed outside its tests"}`),
    ];
    writeFileSync(file, JSON.stringify({ errors }));
  }
}
