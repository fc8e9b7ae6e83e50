// parse-validation-blocks.ts: the `assertions:` and `validation:` blocks of a validation file.
import { isMap, isScalar, isSeq, type Node, type Scalar } from "yaml";
import type { ObjectRef } from "../engine/engine.js";
import { parseAssertion, type AssertionItem } from "./parse-relationship.js";
import { parseExpectedSubject, parseObjectAndRelation, type ExpectedSubject } from "./parse-expected-subject.js";
import type { Position } from "./source-text.js";
import type { FindingKind } from "./validation-report.js";

/** FileContext gives the block parsers positions and a way to report findings. */
export interface FileContext {
  file: string;
  text: string;
  positionOf(node: Node | Scalar): Position;
  report(kind: FindingKind, position: Position, message: string, item?: string): void;
}

export type AssertionKind = "assertTrue" | "assertFalse" | "assertCaveated";

export interface AssertionEntry {
  kind: AssertionKind;
  text: string;
  item: AssertionItem;
  position: Position;
}

export interface ExpectedSubjectEntry {
  text: string;
  expected: ExpectedSubject;
  position: Position;
}

export interface ExpectedRelationEntry {
  key: string;
  resource: ObjectRef;
  relation: string;
  position: Position;
  subjects: ExpectedSubjectEntry[];
}

const ASSERTION_KINDS: AssertionKind[] = ["assertTrue", "assertFalse", "assertCaveated"];

/** parseAssertionsBlock reads `assertions: {assertTrue: [...], assertFalse: [...], assertCaveated: [...]}`. */
export function parseAssertionsBlock(context: FileContext, key: Scalar, value: unknown): AssertionEntry[] {
  if (value === null || (isScalar(value) && value.value === null)) return [];
  if (!isMap(value)) {
    context.report("invalid_format", context.positionOf(key), "`assertions` must be a mapping with assertTrue, assertFalse and/or assertCaveated lists");
    return [];
  }
  const entries: AssertionEntry[] = [];
  for (const pair of value.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const keyPosition = isScalar(pair.key) ? context.positionOf(pair.key) : context.positionOf(key);
    if (!ASSERTION_KINDS.includes(name as AssertionKind)) {
      context.report("unknown_key", keyPosition, `unknown key \`${name}\` in assertions: expected one of ${ASSERTION_KINDS.join(", ")}`);
      continue;
    }
    if (pair.value === null || (isScalar(pair.value) && pair.value.value === null)) continue;
    if (!isSeq(pair.value)) {
      context.report("invalid_format", keyPosition, `\`${name}\` must be a list of relationship strings`);
      continue;
    }
    for (const item of pair.value.items) {
      if (!isScalar(item) || typeof item.value !== "string") {
        context.report("invalid_format", isScalar(item) ? context.positionOf(item) : keyPosition, `each ${name} item must be a string like "resource:id#permission@subject:id"`);
        continue;
      }
      const position = context.positionOf(item);
      const parsed = parseAssertion(item.value);
      if (!parsed.ok) {
        context.report("invalid_format", position, `invalid assertion: ${parsed.error}`, item.value);
        continue;
      }
      entries.push({ kind: name as AssertionKind, text: item.value.trim(), item: parsed.value, position });
    }
  }
  return entries;
}

/** parseExpectedRelationsBlock reads `validation: {"type:id#permission": ["[subject] is <...>", ...]}`. */
export function parseExpectedRelationsBlock(context: FileContext, key: Scalar, value: unknown): ExpectedRelationEntry[] {
  if (value === null || (isScalar(value) && value.value === null)) return [];
  if (!isMap(value)) {
    context.report("invalid_format", context.positionOf(key), "`validation` must map `type:id#permission` to a list of expected subjects");
    return [];
  }
  const entries: ExpectedRelationEntry[] = [];
  for (const pair of value.items) {
    const keyText = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const position = isScalar(pair.key) ? context.positionOf(pair.key) : context.positionOf(key);
    const onr = parseObjectAndRelation(keyText);
    if (!onr.ok) {
      context.report("invalid_format", position, onr.error, keyText);
      continue;
    }
    const entry: ExpectedRelationEntry = { key: keyText.trim(), ...onr.value, position, subjects: [] };
    const list = pair.value;
    if (list !== null && !(isScalar(list) && list.value === null) && !isSeq(list)) {
      context.report("invalid_format", position, `\`${keyText}\` must be a list of expected subjects`);
      continue;
    }
    for (const item of isSeq(list) ? list.items : []) {
      if (!isScalar(item) || typeof item.value !== "string") {
        context.report("invalid_format", isScalar(item) ? context.positionOf(item) : position, 'each expected subject must be a string like "[user:alice] is <project:p1#admin>"');
        continue;
      }
      const parsed = parseExpectedSubject(item.value);
      if (!parsed.ok) {
        context.report("invalid_format", context.positionOf(item), parsed.error, item.value);
        continue;
      }
      entry.subjects.push({ text: item.value, expected: parsed.value, position: context.positionOf(item) });
    }
    entries.push(entry);
  }
  return entries;
}
