// parse-expected-subject.ts: the strings of a `validation:` block, in zed's syntax:
//   "[user:tom] is <document:doc1#writer>/<document:doc1#reader>"
//   "[user:tom[...]] is <document:doc1#viewer>"      (found only under a caveat)
//   "[user:* - {user:bob}] is <document:doc1#viewer>" (a wildcard with exclusions)
//   "[group:eng#member] is <document:doc1#viewer>"   (a subject set)
import type { ObjectRef } from "../engine/engine.js";
import type { Parsed } from "./parse-relationship.js";

/** ExpectedSubject is one expected subject of a resource#permission and where it comes from. */
export interface ExpectedSubject {
  /** `type:id` or `type:id#relation`: the key subjects are compared by. */
  subject: string;
  caveated: boolean;
  /** Subjects excluded from a wildcard, as `type:id`. */
  exceptions: string[];
  /** The resource#relation pairs the subject is found under, as `type:id#relation`, sorted. */
  relations: string[];
}

const SUBJECT = /^([a-z][\w/]*):([\w/|\-=+]+|\*)(?:#([a-z][a-z0-9_]*|\.\.\.))?(\[\.\.\.\])?(?:\s+-\s+\{([^}]+)\})?$/;
const ONR = /^([a-z][\w/]*):([\w/|\-=+]+)#([a-z][a-z0-9_]*)$/;

/** parseObjectAndRelation parses a `validation:` key such as `project:p1#view`. */
export function parseObjectAndRelation(text: string): Parsed<{ resource: ObjectRef; relation: string }> {
  const match = ONR.exec(text.trim());
  if (!match) return { ok: false, error: `invalid resource and permission \`${text}\`: expected type:id#permission` };
  return { ok: true, value: { resource: { type: match[1]!, id: match[2]! }, relation: match[3]! } };
}

/** parseExpectedSubject parses one validation string. */
export function parseExpectedSubject(text: string): Parsed<ExpectedSubject> {
  const open = text.indexOf("[");
  const close = text.lastIndexOf("]", text.indexOf("<") < 0 ? text.length : text.indexOf("<"));
  if (open < 0 || close <= open) return { ok: false, error: `no subject in \`${text}\`: expected "[type:id] is <type:id#relation>"` };
  const subjectText = text.slice(open + 1, close).trim();
  const match = SUBJECT.exec(subjectText);
  if (!match) return { ok: false, error: `invalid subject \`${subjectText}\`` };
  const [, type, id, relation, caveat, exceptionsText] = match;
  const subject = relation && relation !== "..." ? `${type}:${id}#${relation}` : `${type}:${id}`;
  const exceptions = exceptionsText ? exceptionsText.split(",").map((part) => part.trim()).filter(Boolean) : [];

  const relations: string[] = [];
  for (const found of text.slice(close + 1).matchAll(/<([^>]+)>/g)) {
    const onr = parseObjectAndRelation(found[1] ?? "");
    if (!onr.ok) return onr;
    relations.push(`${onr.value.resource.type}:${onr.value.resource.id}#${onr.value.relation}`);
  }
  relations.sort();
  return { ok: true, value: { subject, caveated: Boolean(caveat), exceptions: exceptions.sort(), relations } };
}
