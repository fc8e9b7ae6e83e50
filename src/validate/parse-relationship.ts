// parse-relationship.ts: SpiceDB's relationship string syntax, as validation files write it:
//   document:doc1#viewer@user:alice
//   document:doc1#viewer@group:eng#member
//   document:doc1#viewer@user:alice[ip_allowlist:{"allowed_cidr":"10.0.0.0/8"}]
//   document:doc1#viewer@user:alice[expiration:2030-01-01T00:00:00Z]
// and assertions, which may carry caveat context: `document:doc1#view@user:alice with {"k":1}`.
import type { ObjectRef, Relationship, SubjectRef } from "../engine/engine.js";

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const TYPE = String.raw`[a-z][a-z0-9_]{0,62}[a-z0-9](?:/[a-z][a-z0-9_]{0,62}[a-z0-9])*`;
const ID = String.raw`[a-zA-Z0-9/_|\-=+]{1,1024}`;
const RELATION = String.raw`[a-z][a-z0-9_]{0,62}[a-z0-9]`;
const RESOURCE_PART = new RegExp(`^(${TYPE}):(${ID})#(${RELATION})$`);
const SUBJECT_PART = new RegExp(String.raw`^(${TYPE}):(${ID}|\*)(?:#(${RELATION}|\.\.\.))?`);

/** parseRelationship parses one relationship string, with optional caveat and expiration. */
export function parseRelationship(text: string): Parsed<Relationship> {
  const at = text.indexOf("@");
  if (at < 0) return { ok: false, error: "expected `resource:id#relation@subject:id`, found no `@`" };
  const resource = RESOURCE_PART.exec(text.slice(0, at).trim());
  if (!resource) return { ok: false, error: `invalid resource \`${text.slice(0, at).trim()}\`: expected type:id#relation` };
  const subjectText = text.slice(at + 1).trim();
  const subject = SUBJECT_PART.exec(subjectText);
  if (!subject) return { ok: false, error: `invalid subject \`${subjectText}\`: expected type:id or type:id#relation` };

  const relationship: Relationship = {
    resource: { type: resource[1]!, id: resource[2]! },
    relation: resource[3]!,
    subject: toSubject(subject[1]!, subject[2]!, subject[3]),
  };
  const suffix = parseSuffixes(subjectText.slice(subject[0].length), relationship);
  return suffix.ok ? { ok: true, value: relationship } : suffix;
}

function toSubject(type: string, id: string, relation: string | undefined): SubjectRef {
  return relation && relation !== "..." ? { type, id, relation } : { type, id };
}

// parseSuffixes reads the optional `[caveat:{context}]` and `[expiration:time]` blocks.
function parseSuffixes(rest: string, relationship: Relationship): Parsed<true> {
  let remaining = rest.trim();
  while (remaining.length > 0) {
    if (!remaining.startsWith("[")) return { ok: false, error: `unexpected \`${remaining}\` after the subject` };
    const end = closingBracket(remaining);
    if (end < 0) return { ok: false, error: `unclosed \`[\` in \`${remaining}\`` };
    const block = remaining.slice(1, end);
    remaining = remaining.slice(end + 1).trim();
    const colon = block.indexOf(":");
    const name = (colon < 0 ? block : block.slice(0, colon)).trim();
    const value = colon < 0 ? "" : block.slice(colon + 1).trim();
    if (name === "expiration") {
      const expiresAt = new Date(value);
      if (Number.isNaN(expiresAt.getTime())) return { ok: false, error: `invalid expiration \`${value}\`` };
      relationship.expiresAt = expiresAt;
      continue;
    }
    if (!/^[a-z][a-z0-9_]*$/.test(name)) return { ok: false, error: `invalid caveat name \`${name}\`` };
    const context = value === "" ? undefined : parseJsonObject(value);
    if (context === null) return { ok: false, error: `invalid caveat context \`${value}\`: expected a JSON object` };
    relationship.caveat = context ? { name, context } : { name };
  }
  return { ok: true, value: true };
}

// closingBracket finds the `]` closing the block at index 0, skipping brackets inside JSON strings.
function closingBracket(text: string): number {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (inString) {
      if (char === "\\") index++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === "[" || char === "{") depth++;
    else if (char === "]" || char === "}") {
      depth--;
      if (depth === 0 && char === "]") return index;
    }
  }
  return -1;
}

function parseJsonObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** AssertionItem is a parsed assertion: a check of resource#permission@subject, with context. */
export interface AssertionItem {
  resource: ObjectRef;
  permission: string;
  subject: SubjectRef;
  context?: Record<string, unknown>;
}

/** parseAssertion parses `resource#permission@subject` with an optional ` with {json}` context. */
export function parseAssertion(text: string): Parsed<AssertionItem> {
  const trimmed = text.trim();
  const withAt = trimmed.indexOf(" with ");
  const relationshipText = withAt < 0 ? trimmed : trimmed.slice(0, withAt);
  const parsed = parseRelationship(relationshipText);
  if (!parsed.ok) return parsed;
  if (parsed.value.caveat || parsed.value.expiresAt) {
    return { ok: false, error: "an assertion takes caveat context as ` with {json}`, not a [caveat] block" };
  }
  const { resource, relation, subject } = parsed.value;
  const item: AssertionItem = { resource, permission: relation, subject };
  if (withAt >= 0) {
    const context = parseJsonObject(trimmed.slice(withAt + " with ".length).trim());
    if (!context) return { ok: false, error: "invalid caveat context after `with`: expected a JSON object" };
    item.context = context;
  }
  return { ok: true, value: item };
}
