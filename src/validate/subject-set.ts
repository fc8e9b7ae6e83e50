// subject-set.ts: the set algebra `validation:` blocks are judged by, after SpiceDB's
// developmentmembership: every found subject remembers the resource#relation leaves it was found
// under, and wildcards carry their exclusions. Caveats are not tracked here; whether a found
// subject is caveated is asked of the engine directly (a check that comes back conditional).

/** FoundSubject is one subject of an expansion and the leaves (`type:id#relation`) it came from. */
export interface FoundSubject {
  subject: string;
  relations: Set<string>;
  /** Only for wildcards (`user:*`): the concrete subjects excluded from it. */
  exclusions: Set<string>;
}

export type SubjectSet = Map<string, FoundSubject>;

/** subjectKind groups subjects that can meet in set operations: `type#relation`, or `type#...`. */
function subjectKind(subject: string): string {
  const [object = "", relation = "..."] = subject.split("#");
  return `${object.split(":")[0]}#${relation}`;
}

export function isWildcard(subject: string): boolean {
  return subject.endsWith(":*");
}

function wildcardFor(set: SubjectSet, subject: string): FoundSubject | undefined {
  if (subject.includes("#")) return undefined;
  return set.get(`${subject.split(":")[0]}:*`);
}

function copy(found: FoundSubject): FoundSubject {
  return { subject: found.subject, relations: new Set(found.relations), exclusions: new Set(found.exclusions) };
}

function merged(first: FoundSubject, second: FoundSubject): FoundSubject {
  return { subject: first.subject, relations: new Set([...first.relations, ...second.relations]), exclusions: new Set(first.exclusions) };
}

/** leafSet is the set of one expand leaf: each subject found under `relation`. */
export function leafSet(subjects: string[], relation: string): SubjectSet {
  const set: SubjectSet = new Map();
  for (const subject of subjects) set.set(subject, { subject, relations: new Set([relation]), exclusions: new Set() });
  return set;
}

/** union adds `other` into a copy of `set`; wildcard exclusions survive only if in both. */
export function union(set: SubjectSet, other: SubjectSet): SubjectSet {
  const result: SubjectSet = new Map([...set].map(([key, found]) => [key, copy(found)]));
  for (const [key, found] of other) {
    const existing = result.get(key);
    if (!existing) {
      result.set(key, copy(found));
      continue;
    }
    const combined = merged(existing, found);
    if (isWildcard(key)) combined.exclusions = new Set([...existing.exclusions].filter((excluded) => found.exclusions.has(excluded)));
    result.set(key, combined);
  }
  for (const found of result.values()) {
    if (isWildcard(found.subject)) for (const excluded of [...found.exclusions]) if (result.has(excluded)) found.exclusions.delete(excluded);
  }
  return result;
}

/** intersect keeps subjects in both sets; a wildcard on one side admits the other side's concretes. */
export function intersect(set: SubjectSet, other: SubjectSet): SubjectSet {
  const result: SubjectSet = new Map();
  for (const [key, found] of set) {
    const match = other.get(key);
    if (match) {
      const combined = merged(found, match);
      if (isWildcard(key)) combined.exclusions = new Set([...found.exclusions, ...match.exclusions]);
      result.set(key, combined);
      continue;
    }
    const wildcard = wildcardFor(other, key);
    if (!isWildcard(key) && wildcard && !wildcard.exclusions.has(key)) result.set(key, copy(found));
  }
  for (const [key, found] of other) {
    if (result.has(key) || set.has(key) || isWildcard(key)) continue;
    const wildcard = wildcardFor(set, key);
    if (wildcard && !wildcard.exclusions.has(key)) result.set(key, copy(found));
  }
  return result;
}

/** exclude removes `other` from `set`; removing a concrete from a wildcard records an exclusion. */
export function exclude(set: SubjectSet, other: SubjectSet): SubjectSet {
  const result: SubjectSet = new Map([...set].map(([key, found]) => [key, copy(found)]));
  for (const [key, found] of other) {
    if (isWildcard(key)) {
      const kind = subjectKind(key);
      for (const candidate of [...result.keys()]) {
        if (subjectKind(candidate) === kind && !found.exclusions.has(candidate)) result.delete(candidate);
      }
      continue;
    }
    result.delete(key);
    wildcardFor(result, key)?.exclusions.add(key);
  }
  return result;
}
