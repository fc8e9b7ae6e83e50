// run-assertions.ts: runs every assertTrue / assertFalse / assertCaveated as a real check, and
// for each one that fails asks SpiceDB for its check trace, so the report can show why.
import { EngineError, type Engine, type Permissionship } from "../engine/engine.js";
import type { AssertionEntry, AssertionKind } from "./parse-validation-blocks.js";
import type { Finding } from "./validation-report.js";

export type AssertionPort = Pick<Engine, "check" | "explain">;

const EXPECTED: Record<AssertionKind, Permissionship> = {
  assertTrue: "allowed",
  assertFalse: "denied",
  assertCaveated: "conditional",
};

const DESCRIBED: Record<Permissionship, string> = {
  allowed: "allowed",
  denied: "denied",
  conditional: "caveated (conditional on missing context)",
};

/** runAssertions checks every assertion and returns one finding per assertion that does not hold. */
export async function runAssertions(engine: AssertionPort, file: string, assertions: AssertionEntry[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const assertion of assertions) {
    const { item, position } = assertion;
    const check = { resource: item.resource, permission: item.permission, subject: item.subject, context: item.context };
    const expected = EXPECTED[assertion.kind];
    try {
      const result = await engine.check(check);
      if (result.permissionship === expected) continue;
      const explained = await engine.explain(check);
      const missing = result.missingContext?.length ? `; missing context: ${result.missingContext.join(", ")}` : "";
      findings.push({
        kind: "assertion_failed",
        file,
        ...position,
        message: `${assertion.kind} failed: expected ${DESCRIBED[expected]}, but it is ${DESCRIBED[result.permissionship]}${missing}`,
        item: assertion.text,
        expected,
        actual: result.permissionship,
        ...(result.missingContext ? { missingContext: result.missingContext } : {}),
        ...(explained.trace ? { trace: explained.trace } : {}),
      });
    } catch (error) {
      const reason = error instanceof EngineError ? error.failure.message : String(error);
      findings.push({ kind: "assertion_error", file, ...position, message: `${assertion.kind} could not run: ${reason}`, item: assertion.text });
    }
  }
  return findings;
}
