// Pins the answer contract under generated paths, query strings and headers (API keys and user
// JWTs, good and bad), on every documented route: never a 5xx, every 4xx is problem+json with a code, a request id is always
// echoed in a safe form, and requests that were rejected (or only read) change no state.
import fc from "fast-check";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routeDocs } from "../../src/http/app.js";
import { JwtVerifier } from "../../src/auth/jwt-verifier.js";
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

let server: TestServer;
let fixture: Fixture;
let guard: StateGuard;
const tally = new Tally();
const JWT_SECRET = "fuzz-secret-that-is-long-enough-0123456789";
/** Tokens by kind, signed once the fixture's owner is known; `jwt:<kind>` in a case names one. */
const tokens = new Map<string, string>();

async function signTokens(owner: string): Promise<void> {
  const key = new TextEncoder().encode(JWT_SECRET);
  const sign = (claims: Record<string, unknown>, setup: (jwt: SignJWT) => SignJWT = (j) => j.setExpirationTime("10m"), secret = key) =>
    setup(new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setIssuedAt()).sign(secret);
  const unsigned = (claims: Record<string, unknown>) =>
    `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.`;
  const valid = await sign({ sub: owner });
  const entries: Array<[string, string]> = [
    ["valid", valid],
    ["valid-email", await sign({ sub: owner, email: "Owner@Example.com", email_verified: true })],
    ["expired", await sign({ sub: owner }, (j) => j.setExpirationTime(Math.floor(Date.now() / 1000) - 60))],
    ["not-yet", await sign({ sub: owner }, (j) => j.setNotBefore("1h").setExpirationTime("2h"))],
    ["alg-none", unsigned({ sub: owner, exp: Math.floor(Date.now() / 1000) + 600 })],
    ["bad-signature", valid.slice(0, -2) + (valid.endsWith("AA") ? "BB" : "AA")],
    ["other-secret", await sign({ sub: owner }, undefined, new TextEncoder().encode("another-secret-0123456789-0123456789"))],
    ["sub-dots", await sign({ sub: ".." })],
    ["sub-prefixed", await sign({ sub: `user:${owner}` })],
    ["sub-long", await sign({ sub: "a".repeat(200) })],
    ["sub-number", await sign({ sub: 42 })],
    ["no-sub", await sign({})],
    ["email-odd", await sign({ sub: owner, email: `${"é".repeat(80)}@x`, email_verified: true })],
    ["email-unverified", await sign({ sub: owner, email: "a@b.c", email_verified: "true" })],
  ];
  for (const [kind, token] of entries) tokens.set(`jwt:${kind}`, `Bearer ${token}`);
}
const JWT_KINDS = ["valid", "valid-email", "expired", "not-yet", "alg-none", "bad-signature", "other-secret", "sub-dots", "sub-prefixed", "sub-long", "sub-number", "no-sub", "email-odd", "email-unverified"].map((k) => `jwt:${k}`);

beforeAll(async () => {
  server = await startTestServer({ jwt: new JwtVerifier({ secret: JWT_SECRET }) });
  fixture = await createFixture(server, "fzr");
  await signTokens(fixture.actor.slice("user:".length));
  guard = new StateGuard(server);
});
afterAll(async () => {
  tally.print("requests: answers per route");
  await server?.close();
});

const docs = routeDocs();
const byName = new Map(docs.map((doc) => [routeName(doc), doc]));

// Path segments as they go on the wire (already percent-encoded, or deliberately not).
const EVIL_SEGMENTS = [
  "..", ".", "%2e%2e", "%2E%2E", "%00", "a%00b", "%2F", "a%2Fb", "%ZZ", "%", "%E0%A4%A", "%C0%AF", "%FF", "%20", "+", "~", "a;b", "*",
  "user%3A..", "user%3A%00", "group%3Ax%23member", "group%3Ax%23admin", "user%3A", "%3A", "user:bob", "user%3Abob%20", "user%3A*", "%23",
  "organization%3Ax", "role%3Ax", "x%0D%0ASet-Cookie:a=b", "__proto__", "constructor", "%5F%5Fproto%5F%5F",
];
const evilSegment = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...EVIL_SEGMENTS) },
  { weight: 1, arbitrary: fc.integer({ min: 129, max: 4_000 }).map((n) => "a".repeat(n)) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 16 }).map(encodeURIComponent) },
);

let fresh = 0;
const freshId = (param: string) => {
  fresh += 1;
  return param === "subject" ? `user%3Anr${fresh}` : `nr${fresh}`;
};

const QUERY_KEYS = ["limit", "cursor", "permission", "status", "resourceType", "resourceId", "relation", "subjectType", "subjectId", "subjectRelation"];
// A cursor that decodes but names no real page, and other cursor-shaped junk.
const fakeCursor = (c: string, t: string) => Buffer.from(JSON.stringify({ c, t })).toString("base64url");
const EVIL_QUERY_VALUES = [
  "", "-1", "0", "1", "1.5", "1e3", "1001", "abc", "%00", "NaN", "Infinity", "0x10", "9".repeat(400), "true", "view", "project", "user", "pending",
  "AAAA", fakeCursor("x", "~"), fakeCursor("", ""), fakeCursor("GgYKBHRlc3Q=", "bogus"), "e30", "%7B%7D", "a".repeat(5_000),
];
const queryPair = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...QUERY_KEYS), fc.constantFrom(...EVIL_QUERY_VALUES)) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom("__proto__", "constructor", "hasOwnProperty", "limit[]", "limit[a]", "toString", "a.b"), fc.constantFrom("1", "x", "")) },
  { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 8 }).map(encodeURIComponent), fc.string({ maxLength: 8 }).map(encodeURIComponent)) },
);
const queryString = fc.option(
  fc.array(queryPair, { minLength: 1, maxLength: 4 }).map((pairs) => "?" + pairs.map(([k, v]) => `${k}=${v}`).join("&")),
  { freq: 2 },
);

const headerValue = (values: string[]) => fc.constantFrom(...values);
const authorization = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(`Bearer ${KEYS.admin}`, `Bearer ${KEYS.manage}`, `Bearer ${KEYS.check}`) },
  { weight: 3, arbitrary: fc.constantFrom(...JWT_KINDS) },
  {
    weight: 2,
    arbitrary: headerValue([
      "", "Bearer", "Bearer ", `bearer ${KEYS.admin}`, `Bearer ${KEYS.admin} `, `Bearer ${KEYS.admin}x`, `Bearer  ${KEYS.admin}`, `Basic ${Buffer.from("a:b").toString("base64")}`,
      "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.", "Bearer a.b.c", `Bearer ${"a".repeat(9_000)}`, "Bearer é", `Bearer ${KEYS.admin.slice(0, -1)}`, "Bearer \t",
    ]),
  },
);
const actor = fc.oneof(
  { weight: 6, arbitrary: fc.constant("fixture") },
  { weight: 3, arbitrary: headerValue(["", "user:", "user:..", "group:x", "user:a b", `user:${"a".repeat(200)}`, "User:x", "user:x\t", "user:é", "user:x, user:y", "user:*", "user:%00", "user:x#member"]) },
);
const requestId = fc.option(headerValue(["", "ok-id.1:2", "a b", "x".repeat(300), "é", "../", "<script>", "id\twith\ttabs"]), { freq: 2 });
const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("application/json", "application/json; charset=utf-8") },
  {
    weight: 3,
    arbitrary: headerValue([
      "text/plain", "application/json; charset=utf-16", "application/json; charset=latin1", "application/json; charset=bogus", "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x", "application/problem+json", "application/merge-patch+json", "a/b/c", "", "application/json; charset=\"", "application/json;;;", "*/*",
    ]),
  },
);
const contentEncoding = fc.option(headerValue(["gzip", "deflate", "br", "identity", "x-evil", "gzip, gzip"]), { freq: 6 });
const method = fc.option(fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"), { freq: 5 });
const pathShape = fc.constantFrom("as-is", "as-is", "as-is", "as-is", "trailing-slash", "double-slash", "upper-case");

interface Case {
  route: string;
  method: string | null;
  params: Array<{ kind: "fixture" | "fresh" | "evil"; evil: string }>;
  shape: string;
  query: string | null;
  authorization: string;
  actor: string;
  actorEmail: string | null;
  requestId: string | null;
  contentType: string;
  contentEncoding: string | null;
  withBody: boolean;
}

const param = fc.record({ kind: fc.constantFrom("fixture" as const, "fixture" as const, "fresh" as const, "evil" as const, "evil" as const), evil: evilSegment });
const cases: fc.Arbitrary<Case> = fc.record({
  route: fc.constantFrom(...byName.keys()),
  method,
  params: fc.array(param, { minLength: 3, maxLength: 3 }),
  shape: pathShape,
  query: queryString,
  authorization,
  actor,
  actorEmail: fc.option(headerValue(["", "a@b.c", "not-an-email", "a@", `${"a".repeat(70)}@x.y`, "é@x.y"]), { freq: 6 }),
  requestId,
  contentType,
  contentEncoding,
  withBody: fc.boolean(),
});

function toRequest(c: Case): RawRequest {
  const doc: RouteDoc = byName.get(c.route)!;
  const actualMethod = c.method ?? doc.method.toUpperCase();
  let i = 0;
  let path = fillPath(doc.path, (name) => {
    const p = c.params[i++ % c.params.length]!;
    // Deletes never aim at the fixture, which every other case relies on.
    if (p.kind === "fixture" && fixture.params[name] && actualMethod !== "DELETE") return encodeURIComponent(fixture.params[name]);
    return p.kind === "evil" ? p.evil : freshId(name);
  });
  if (c.shape === "trailing-slash") path += "/";
  if (c.shape === "double-slash") path = path.replace("/v1/", "/v1//");
  if (c.shape === "upper-case") path = path.replace("/v1/", "/V1/");
  const headers: Record<string, string> = { authorization: tokens.get(c.authorization) ?? c.authorization, "content-type": c.contentType };
  if (c.actor === "fixture") headers["x-actor"] = fixture.actor;
  else headers["x-actor"] = c.actor;
  if (c.actorEmail !== null) headers["x-actor-email"] = c.actorEmail;
  if (c.requestId !== null) headers["x-request-id"] = c.requestId;
  if (c.contentEncoding !== null) headers["content-encoding"] = c.contentEncoding;
  const body = c.withBody || doc.body ? JSON.stringify(doc.example ?? {}) : undefined;
  return { method: actualMethod, path: path + (c.query ?? ""), headers, body };
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

async function run(batch: Case[]): Promise<void> {
  for (const c of batch) {
    const request = toRequest(c);
    // NOTE: past 16 KiB of request line and headers Node's HTTP parser answers 431 itself,
    // before any application code runs; such requests are out of the app's reach.
    if (request.path.length + JSON.stringify(request.headers).length > 14_000) continue;
    const mayWrite = WRITE_METHODS.has(request.method);
    if (mayWrite) await guard.beforeMayWrite();
    const response = await send(server.url, request);
    expectAnswerContract(request, response);
    tally.add(request.method === c.route.split(" ")[0] ? c.route : `${request.method} (for ${c.route})`, response.status, problemCode(response));
    const echoed = String(response.headers["x-request-id"]);
    expect(echoed, describeRequest(request)).toMatch(REQUEST_ID);
    if (c.requestId !== null && REQUEST_ID.test(c.requestId)) expect(echoed).toBe(c.requestId);
    await guard.record(describeRequest(request), mayWrite && isAccepted(response));
  }
  await guard.verify();
}

/** randomPaths: paths no route declares, under and beside /v1. */
const randomPath = fc.oneof(
  fc.webPath(),
  fc.array(evilSegment, { minLength: 1, maxLength: 5 }).map((segments) => `/v1/${segments.join("/")}`),
  fc.constantFrom("/", "//", "/v1", "/v1/", "/v2/check", "/v1/check/", "/../v1/check", "/v1/./check", "/v1/%2e%2e/v1/check", "/openapi.json/..", "/docs/assets/../../package.json", "/docs/assets/%2e%2e/%2e%2e/package.json"),
);

describe("fuzz: paths, query strings and headers on every documented route", () => {
  it("never a 5xx, always problem+json on 4xx, a safe request id, no state change after a rejection", async () => {
    await guard.start();
    await fuzz("paths, queries and headers", fc.asyncProperty(fc.array(cases, { minLength: 1, maxLength: 8 }), run), 90, 25_000);
    expect(guard.verified).toBeGreaterThan(30);
  }, fuzzTimeout(25_000));

  it("undeclared paths and methods answer 404 (or a method's 2xx) in problem+json", async () => {
    const property = fc.asyncProperty(fc.array(fc.tuple(method, randomPath, authorization), { minLength: 1, maxLength: 8 }), async (batch) => {
      for (const [m, path, auth] of batch) {
        const request: RawRequest = { method: m ?? "GET", path, headers: { authorization: tokens.get(auth) ?? auth, "x-actor": fixture.actor } };
        if (WRITE_METHODS.has(request.method)) await guard.beforeMayWrite();
        const response = await send(server.url, request);
        expectAnswerContract(request, response);
        await guard.record(describeRequest(request), WRITE_METHODS.has(request.method) && isAccepted(response));
      }
      await guard.verify();
    });
    await guard.start();
    await fuzz("undeclared paths", property, 40, 10_000);
  }, fuzzTimeout(10_000));
});
