// tally sums the test runs of .ci/run into its last line, "N passed, N failed[, N skipped]", and
// exits 1 when anything failed. Arguments: the number of failed steps before the tests, then the
// names of the runs (test-output/vitest-<name>.json, errors-<name>.json, exit-codes). Failures
// are failed tests, errors outside any test (errors-reporter.ts), a missing report, and a run
// that exited non-zero with none of those. Above the last line it names each failure, so the
// end of the log says what went wrong.
import { existsSync, readFileSync } from "node:fs";

const [stepFailures, ...runs] = process.argv.slice(2);
const exitCodes = new Map(
  (existsSync("test-output/exit-codes") ? readFileSync("test-output/exit-codes", "utf8") : "")
    .split("\n")
    .filter(Boolean)
    .map((line) => line.split(" "))
    .map(([name, code]) => [name, Number(code)]),
);
const readJson = (file) => {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
};

let passed = 0;
let failed = Number(stepFailures);
let skipped = 0;
const causes = [];
if (failed > 0) causes.push(`${failed} step(s) before the tests failed (see "::: FAILED" above)`);
for (const run of runs) {
  const report = readJson(`test-output/vitest-${run}.json`);
  if (!report) {
    failed += 1;
    causes.push(`${run}: no report (test-output/vitest-${run}.json missing or unreadable)`);
    continue;
  }
  let runFailed = report.numFailedTests ?? 0;
  passed += report.numPassedTests;
  skipped += report.numPendingTests + (report.numTodoTests ?? 0);
  for (const file of report.testResults ?? []) {
    for (const test of file.assertionResults ?? []) {
      if (test.status === "failed") causes.push(`${run}: FAILED ${file.name.replace(`${process.cwd()}/`, "")} > ${test.fullName}: ${(test.failureMessages?.[0] ?? "").split("\n")[0]}`);
    }
  }
  const errors = readJson(`test-output/errors-${run}.json`)?.errors;
  if (errors) {
    runFailed += errors.length;
    for (const error of errors) causes.push(`${run}: ERROR outside any test: ${error}`);
  } else if (runFailed === 0) {
    runFailed += report.numFailedTestSuites ?? 0;
  }
  const code = exitCodes.get(run);
  if (code !== undefined && code !== 0 && runFailed === 0) {
    runFailed = 1;
    causes.push(`${run}: vitest exited ${code} with no failed test and no error recorded`);
  }
  failed += runFailed;
  console.log(`::: ${run}: ${report.numPassedTests} passed, ${runFailed} failed, ${report.numPendingTests} skipped (exit ${code ?? "?"})`);
}
for (const cause of causes) console.log(`::: ${cause}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 ? 1 : 0);
