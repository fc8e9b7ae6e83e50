// long-first-sequencer: vitest orders test files by the durations it cached from earlier runs,
// and on a fresh clone (CI) by file size — which put the longest file, the 10,000-step cache
// model test, last and left one worker idle for minutes at the end. The files known to run
// longest start first; the rest keep vitest's order.
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** Path endings of the longest files, longest first (from CI runs' JSON reports). */
const LONGEST = ["test/cache-model.test.ts", "test/docs-examples.test.ts", "test/fuzz/model.test.ts", "test/validate/validate-command.test.ts"];

const rank = (spec: TestSpecification) => {
  const i = LONGEST.findIndex((end) => spec.moduleId.replaceAll("\\", "/").endsWith(end));
  return i < 0 ? LONGEST.length : i;
};

export default class LongFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    return sorted.map((spec, i) => ({ spec, i })).sort((a, b) => rank(a.spec) - rank(b.spec) || a.i - b.i).map((x) => x.spec);
  }
}
