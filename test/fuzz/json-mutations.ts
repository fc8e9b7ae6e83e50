// json-mutations: arbitraries for request bodies — random JSON, and near-valid mutations of a
// route's documented example (a field dropped or added, a value of the wrong type, huge or odd
// strings, `__proto__` keys, deep nesting), which is where validation bugs hide.
import fc from "fast-check";

type Json = unknown;
type Path = Array<string | number>;

/** nodePaths lists the path of every node of a JSON value (root included; deep nesting is cut at 32 levels). */
function nodePaths(value: Json): Path[] {
  const out: Path[] = [];
  const stack: Array<[Json, Path]> = [[value, []]];
  while (stack.length > 0) {
    const [node, at] = stack.pop()!;
    out.push(at);
    if (at.length >= 32 || node === null || typeof node !== "object") continue;
    for (const [k, v] of Object.entries(node)) stack.push([v, [...at, Array.isArray(node) ? Number(k) : k]]);
  }
  return out;
}

const clone = (value: Json): Json => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

/** setOwn defines a key as an own enumerable property, so `__proto__` stays a plain key. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** replaceAt returns a copy of `root` with the node at `path` replaced (or removed when `remove`). */
function replaceAt(root: Json, path: Path, next: (node: Json) => Json, remove = false): Json {
  if (path.length === 0) return next(root);
  const copy = clone(root) as Record<string | number, unknown>;
  let parent = copy as Record<string | number, unknown>;
  for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (remove) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else {
    if (Array.isArray(parent)) parent[last as number] = next(parent[last as number]);
    else setOwn(parent as Record<string, unknown>, String(last), next(parent[last]));
  }
  return copy;
}

/** nested builds arrays or objects nested `depth` levels deep. */
export function nested(depth: number, kind: "array" | "object"): Json {
  let value: Json = 1;
  for (let i = 0; i < depth; i++) value = kind === "array" ? [value] : { a: value };
  return value;
}

/** ODD_STRINGS: strings that have broken parsers, path handling and id grammars elsewhere. */
export const ODD_STRINGS = [
  "",
  " ",
  "..",
  "../..",
  "%00",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "\u202eevil",
  "user:..",
  "user:",
  "user:*",
  "group:g#member",
  "organization:..",
  "role:",
  "role:..",
  "admin ",
  "ADMIN",
  "__proto__",
  "constructor",
  "1e309",
  "NaN",
  "null",
  "😀".repeat(40),
  "é".repeat(129),
  "a".repeat(129),
  "2030-02-30T00:00:00Z",
  "1970-01-01T00:00:00Z",
  "9999-12-31T23:59:59.999999999+14:00",
];

const oddString = fc.oneof(
  fc.constantFrom(...ODD_STRINGS),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/),
);

const hugeString = fc
  .tuple(fc.integer({ min: 1_000, max: 200_000 }), fc.constantFrom("x", "é", "𝔘", "%", "\\", '"'))
  .map(([n, c]) => c.repeat(Math.ceil(n / c.length)));

const oddNumber = fc.oneof(
  fc.constantFrom(-1, 0, -0, 0.5, 1e21, 1e308, -1e308, 2 ** 53 + 2, Number.MIN_VALUE, 1000, 1001, 1_000_000),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** wrongValue: a value of any JSON type, odd ones favoured. */
export const wrongValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 2, arbitrary: oddString },
  { weight: 2, arbitrary: oddNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, [null], { "": null }) },
  { weight: 1, arbitrary: hugeString },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 50, max: 3_000 }), fc.constantFrom("array" as const, "object" as const)).map(([d, k]) => nested(d, k)) },
);

const oddKey = fc.oneof(fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "", "valueOf", "then"), fc.string({ maxLength: 20 }));

type Mutation = (value: Json) => Json;

const pick = (value: Json, index: number) => {
  const all = nodePaths(value);
  return all[index % all.length]!;
};

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // Drop a field or an array element.
  fc.nat().map((i): Mutation => (v) => {
    const path = pick(v, i);
    return path.length === 0 ? undefined : replaceAt(v, path, (n) => n, true);
  }),
  // Add a field (including __proto__ and friends) to an object node.
  fc.tuple(fc.nat(), oddKey, wrongValue).map(([i, key, extra]): Mutation => (v) => {
    const objects = nodePaths(v).filter((p) => {
      const node = p.reduce<unknown>((n, s) => (n as Record<string | number, unknown>)[s], v);
      return node !== null && typeof node === "object" && !Array.isArray(node);
    });
    if (objects.length === 0) return v;
    return replaceAt(v, objects[i % objects.length]!, (node) => {
      const copy = { ...(node as Record<string, unknown>) };
      setOwn(copy, key, extra);
      return copy;
    });
  }),
  // Replace any node by a value of another type, a huge string, deep nesting, …
  fc.tuple(fc.nat(), wrongValue).map(([i, next]): Mutation => (v) => replaceAt(v, pick(v, i), () => next)),
  // Wrap a node in an array.
  fc.nat().map((i): Mutation => (v) => replaceAt(v, pick(v, i), (n) => [n])),
);

/** mutatedExample: the documented example with one to three mutations applied. */
export function mutatedExample(example: Json): fc.Arbitrary<Json> {
  return fc.array(mutation, { minLength: 1, maxLength: 3 }).map((ms) => ms.reduce((v, m) => m(v), clone(example)));
}

/** RAW_BODIES: bodies that are not JSON, or barely. */
export const RAW_BODIES = ["{", "}", "nul", '"unterminated', '{"a":1}}', "[1,]", "\ufeff{}", "{\"a\":\"\\ud800\"}", "  ", "0x10", "'single'", "{\"__proto__\":{\"isAdmin\":true}}"];

/** anyBody: a serialised request body — random JSON, a raw non-JSON string, or a mutated example. */
export function anyBody(example: Json | undefined): fc.Arbitrary<string> {
  const random = fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? "null");
  const raw = fc.constantFrom(...RAW_BODIES);
  if (example === undefined) return fc.oneof({ weight: 3, arbitrary: random }, { weight: 1, arbitrary: raw });
  return fc.oneof(
    { weight: 6, arbitrary: mutatedExample(example).map((v) => JSON.stringify(v) ?? "") },
    { weight: 2, arbitrary: random },
    { weight: 1, arbitrary: raw },
    { weight: 1, arbitrary: fc.constant(JSON.stringify(example)) },
  );
}
