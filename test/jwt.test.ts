// Pins JWT actors (docs/api.md, authentication): HS256 and JWKS tokens act as user:<sub>;
// checks only about themselves; never admin; every unacceptable token is 401.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, exportJWK, generateKeyPair, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JwtVerifier } from "../src/auth/jwt-verifier.js";
import { startTestServer, uid, type TestServer } from "./support/test-server.js";

const SECRET = "a-test-secret-that-is-long-enough-0123456789";
const ISSUER = "https://issuer.test";
const AUDIENCE = "accord";
let server: TestServer;
let jwks: Server;
let rsaPrivate: CryptoKey;

beforeAll(async () => {
  const pair = await generateKeyPair("RS256");
  rsaPrivate = pair.privateKey as CryptoKey;
  const publicJwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  jwks = createServer((_req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, "127.0.0.1", resolve));
  const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
  server = await startTestServer({ jwt: new JwtVerifier({ secret: SECRET, jwksUrl, issuer: ISSUER, audience: AUDIENCE }) });
});
afterAll(async () => {
  await server.close();
  jwks.close();
});

function hs256(claims: Record<string, unknown>, options: { exp?: string | number; nbf?: string | number; iss?: string; aud?: string } = {}) {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setIssuedAt().setIssuer(options.iss ?? ISSUER).setAudience(options.aud ?? AUDIENCE).setExpirationTime(options.exp ?? "5m");
  if (options.nbf !== undefined) jwt.setNotBefore(options.nbf);
  return jwt.sign(new TextEncoder().encode(SECRET));
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("JWT actors", () => {
  it("lets an HS256 token check its own permissions, not another user's", async () => {
    const [p, u] = [uid("p"), uid("u")];
    await server.call("POST", "/v1/relationships", { body: { updates: [{ operation: "touch", relationship: `project:${p}#viewer@user:${u}` }] } });
    const token = await hs256({ sub: u });
    const own = await server.call("POST", "/v1/check", { key: null, headers: bearer(token), body: { resource: `project:${p}`, permission: "view", subject: `user:${u}` } });
    expect(own.status).toBe(200);
    expect(own.body.allowed).toBe(true);
    const other = await server.call("POST", "/v1/check", { key: null, headers: bearer(token), body: { resource: `project:${p}`, permission: "view", subject: "user:someone-else" } });
    expect(other.status).toBe(403);
    expect(other.body.code).toBe("forbidden");
    const bulk = await server.call("POST", "/v1/check/bulk", { key: null, headers: bearer(token), body: { items: [{ resource: `project:${p}`, permission: "view", subject: `user:${u}` }, { resource: `project:${p}`, permission: "view", subject: "user:x" }] } });
    expect(bulk.status).toBe(403);
  });

  it("accepts an RS256 token whose key comes from the JWKS URL", async () => {
    const [p, u] = [uid("p"), uid("u")];
    await server.call("POST", "/v1/relationships", { body: { updates: [{ operation: "touch", relationship: `project:${p}#editor@user:${u}` }] } });
    const token = await new SignJWT({ sub: u }).setProtectedHeader({ alg: "RS256", kid: "k1" }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime("5m").sign(rsaPrivate);
    const res = await server.call("POST", "/v1/check", { key: null, headers: bearer(token), body: { resource: `project:${p}`, permission: "edit", subject: `user:${u}` } });
    expect(res.status).toBe(200);
    expect(res.body.allowed).toBe(true);
  });

  it("never opens admin endpoints to a user token", async () => {
    const token = await hs256({ sub: "root" });
    expect((await server.call("GET", "/v1/relationships?resourceType=project", { key: null, headers: bearer(token) })).status).toBe(403);
    expect((await server.call("GET", "/v1/schema", { key: null, headers: bearer(token) })).status).toBe(403);
  });

  it.each([
    ["expired", () => hs256({ sub: "u" }, { exp: Math.floor(Date.now() / 1000) - 120 })],
    ["not yet valid", () => hs256({ sub: "u" }, { nbf: Math.floor(Date.now() / 1000) + 600 })],
    ["wrong issuer", () => hs256({ sub: "u" }, { iss: "https://evil.test" })],
    ["wrong audience", () => hs256({ sub: "u" }, { aud: "someone-else" })],
    ["bad signature", async () => (await hs256({ sub: "u" })).slice(0, -4) + "AAAA"],
    ["alg none", async () => {
      const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
      return `${enc({ alg: "none", typ: "JWT" })}.${enc({ sub: "u", iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 300 })}.`;
    }],
    ["HS256 signed with another secret", async () => new SignJWT({ sub: "u" }).setProtectedHeader({ alg: "HS256" }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime("5m").sign(new TextEncoder().encode("another-secret-that-is-long-enough-xyz"))],
    ["no sub", () => hs256({})],
  ])("answers 401 to a token that is %s", async (_name, make) => {
    const res = await server.call("POST", "/v1/check", { key: null, headers: bearer(await make()), body: { resource: "project:p", permission: "view", subject: "user:u" } });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("unauthenticated");
  });

  it("takes the e-mail only from a verified e-mail claim", async () => {
    const verifier = new JwtVerifier({ secret: SECRET, issuer: ISSUER, audience: AUDIENCE });
    expect(await verifier.verify(await hs256({ sub: "u", email: "U@x.test", email_verified: true }))).toEqual({ userId: "u", email: "u@x.test" });
    expect(await verifier.verify(await hs256({ sub: "u", email: "u@x.test" }))).toEqual({ userId: "u" });
    expect(await verifier.verify(await hs256({ sub: "u", email: "u@x.test", email_verified: "true" }))).toEqual({ userId: "u" });
  });
});
