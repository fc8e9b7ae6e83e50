// Pins the answer contract under generated request bodies, on every documented route: never a
// 5xx, every 4xx is problem+json with a code, a body the route's own zod schema rejects is
// never accepted (400 with the admin key), and rejected requests change no state at all.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routeDocs } from "../../src/http/app.js";
import type { RouteDoc } from "../../src/http/openapi.js";
import { KEYS, startTestServer, type TestServer } from "../support/test-server.js";
import {
  StateGuard,
  WRITE_METHODS,
  createFixture,
  describeRequest,
  expectAnswerContract,
  fillPath,
  fuzz,
  fuzzTimeout,
  isAccepted,
  problemCode,
  routeName,
  send,
  Tally,
  type Fixture,
  type RawRequest,
} from "./fuzz-support.js";
import { anyBody } from "./json-mutations.js";

let server: TestServer;
let fixture: Fixture;
let guard: StateGuard;
const tally = new Tally();
beforeAll(async () => {
  server = await startTestServer();
  fixture = await createFixture(server, "fzb");
  guard = new StateGuard(server);
});
afterAll(async () => {
  tally.print("bodies: answers per route");
  await server?.close();
});

// NOTE: a generated schema that happened to be valid would replace the schema under the fuzzer.
const NEVER_SEND_VALID = new Set(["PUT /v1/schema"]);

let fresh = 0;
/**
 * pathFor aims a route at the fixture, so a body reaches validation past every 404 — except
 * bodyless writes (deletes, group member adds), which aim at objects that do not exist.
 */
function pathFor(doc: RouteDoc): string {
  const bodylessWrite = WRITE_METHODS.has(doc.method.toUpperCase()) && !doc.body;
  return fillPath(doc.path, (param) => {
    if (!bodylessWrite && fixture.params[param]) return encodeURIComponent(fixture.params[param]);
    fresh += 1;
    return param === "subject" ? `user%3Anx${fresh}` : `nx${fresh}`;
  });
}

interface Case {
  /** The route, by name (so a counterexample prints readably). */
  route: string;
  body: string;
  key: "admin" | "manage";
}

const byName = new Map(routeDocs().map((doc) => [routeName(doc), doc]));
const cases = (docs: RouteDoc[]) =>
  fc.constantFrom(...docs).chain((doc) => fc.record({ route: fc.constant(routeName(doc)), body: anyBody(doc.example), key: fc.constantFrom("admin" as const, "manage" as const) }));

/**
 * schemaAccepts mirrors the server: the body as JSON.parse reads it, through the route's own
 * schema — and, like express.json(), an empty body is {} (a route whose fields are all optional,
 * such as PUT a project member with the project's default role, accepts it) and a leading byte
 * order mark is dropped (body-parser decodes with iconv-lite, which strips it).
 */
function schemaAccepts(doc: RouteDoc, body: string): boolean {
  if (!doc.body) return true;
  let value: unknown;
  try {
    const text = body.replace(/^\uFEFF/, "");
    value = text.length === 0 ? {} : JSON.parse(text);
  } catch {
    return false;
  }
  return doc.body.safeParse(value).success;
}

async function run(batch: Case[]): Promise<void> {
  for (const { route, body, key } of batch) {
    const doc = byName.get(route)!;
    const valid = schemaAccepts(doc, body);
    if (valid && NEVER_SEND_VALID.has(routeName(doc))) continue;
    const mayWrite = valid && WRITE_METHODS.has(doc.method.toUpperCase());
    const request: RawRequest = {
      method: doc.method.toUpperCase(),
      path: pathFor(doc),
      headers: { authorization: `Bearer ${KEYS[key]}`, "x-actor": fixture.actor, "content-type": "application/json" },
      body,
    };
    if (mayWrite) await guard.beforeMayWrite();
    const response = await send(server.url, request);
    expectAnswerContract(request, response);
    tally.add(route, response.status, problemCode(response));
    if (!valid) {
      const where = `${describeRequest(request)}\n→ ${response.status} ${response.text.slice(0, 300)}`;
      expect(isAccepted(response), `a body its schema rejects was accepted: ${where}`).toBe(false);
      // With the admin key every scope passes, so a schema-invalid body is exactly a 400.
      if (key === "admin" && doc.body) expect(JSON.parse(response.text).code, where).toBe("invalid_request");
    }
    await guard.record(describeRequest(request), mayWrite && isAccepted(response));
  }
  await guard.verify();
}

describe("fuzz: request bodies on every documented route", () => {
  const docs = routeDocs();

  it("covers every route that takes a body", () => {
    const withBody = docs.filter((d) => d.body);
    expect(withBody.length).toBeGreaterThan(15);
    for (const doc of withBody) expect(doc.example, routeName(doc)).toBeDefined();
  });

  it("mutated examples and random JSON: no 5xx, problem+json, schema-invalid never accepted, no state change", async () => {
    await guard.start();
    await fuzz("bodies on routes with a body", fc.asyncProperty(fc.array(cases(docs.filter((d) => d.body)), { minLength: 1, maxLength: 8 }), run), 90, 25_000);
    expect(guard.verified).toBeGreaterThan(30);
  }, fuzzTimeout(25_000));

  it("bodies sent to routes that take none are ignored safely", async () => {
    await guard.start();
    await fuzz("bodies on routes without a body", fc.asyncProperty(fc.array(cases(docs.filter((d) => !d.body)), { minLength: 1, maxLength: 8 }), run), 30, 15_000);
  }, fuzzTimeout(15_000));
});
