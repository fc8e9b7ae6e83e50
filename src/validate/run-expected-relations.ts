// run-expected-relations.ts: compares each `validation:` block with the recursive expansion of
// its resource#permission, the way zed validate does: every expected subject must be found
// under exactly the listed relations (and caveated iff marked `[...]`), and every subject found
// must be listed.
import { EngineError, type Engine } from "../engine/engine.js";
import { SubjectExpander } from "./expand-subjects.js";
import type { ExpectedRelationEntry } from "./parse-validation-blocks.js";
import { isWildcard, type FoundSubject } from "./subject-set.js";
import type { Finding } from "./validation-report.js";

export type ExpectedRelationsPort = Pick<Engine, "expand" | "check">;

/** runExpectedRelations returns one finding per difference between expected and found subjects. */
export async function runExpectedRelations(engine: ExpectedRelationsPort, file: string, entries: ExpectedRelationEntry[]): Promise<Finding[]> {
  const expander = new SubjectExpander(engine);
  const findings: Finding[] = [];
  for (const entry of entries) {
    let found: Map<string, FoundSubject>;
    try {
      found = await expander.expand(entry.resource, entry.relation);
    } catch (error) {
      const reason = error instanceof EngineError ? error.failure.message : String(error);
      findings.push({ kind: "expected_relations_failed", file, ...entry.position, message: `cannot expand \`${entry.key}\`: ${reason}`, item: entry.key });
      continue;
    }
    const fail = (position: { line: number; column: number }, message: string, item: string) =>
      findings.push({ kind: "expected_relations_failed", file, ...position, message: `For \`${entry.key}\`, ${message}`, item });

    for (const { expected, text, position } of entry.subjects) {
      const subject = found.get(expected.subject);
      if (!subject) {
        fail(position, `missing expected subject \`${expected.subject}\``, text);
        continue;
      }
      const computed = [...subject.relations].sort();
      if (computed.join("/") !== expected.relations.join("/")) {
        fail(position, `found different relations for subject \`${expected.subject}\`: specified ${wrap(expected.relations)}, computed ${wrap(computed)}`, text);
      }
      const exclusions = [...subject.exclusions].sort();
      if (exclusions.join(",") !== expected.exceptions.join(",")) {
        fail(position, `found different exclusions for \`${expected.subject}\`: specified {${expected.exceptions.join(", ")}}, computed {${exclusions.join(", ")}}`, text);
      }
      const caveated = await isCaveated(engine, entry, subject.subject);
      if (caveated !== expected.caveated) {
        const hint = caveated ? "it is found only under a caveat: write it as" : "it is not caveated: write it as";
        fail(position, `caveat mismatch for \`${expected.subject}\`: ${hint} \`${validationString(subject, caveated)}\``, text);
      }
    }

    const listed = new Set(entry.subjects.map(({ expected }) => expected.subject));
    for (const subject of found.values()) {
      if (listed.has(subject.subject)) continue;
      const caveated = await isCaveated(engine, entry, subject.subject);
      fail(entry.position, `subject \`${subject.subject}\` found but missing from specified; add "${validationString(subject, caveated)}"`, entry.key);
    }
  }
  return findings;
}

// isCaveated asks the engine: a subject the expansion found is caveated when checking it without
// context comes back conditional. Wildcards cannot be checked as subjects and count as plain.
async function isCaveated(engine: ExpectedRelationsPort, entry: ExpectedRelationEntry, subject: string): Promise<boolean> {
  if (isWildcard(subject)) return false;
  const [object = "", relation] = subject.split("#");
  const separator = object.indexOf(":");
  const subjectRef = { type: object.slice(0, separator), id: object.slice(separator + 1), ...(relation ? { relation } : {}) };
  try {
    const result = await engine.check({ resource: entry.resource, permission: entry.relation, subject: subjectRef });
    return result.permissionship === "conditional";
  } catch {
    return false;
  }
}

function wrap(relations: string[]): string {
  return relations.map((relation) => `<${relation}>`).join("/") || "(none)";
}

/** validationString renders a found subject the way a `validation:` block writes it. */
export function validationString(found: FoundSubject, caveated: boolean): string {
  const exclusions = found.exclusions.size > 0 ? ` - {${[...found.exclusions].sort().join(", ")}}` : "";
  return `[${found.subject}${caveated ? "[...]" : ""}${exclusions}] is ${wrap([...found.relations].sort())}`;
}
