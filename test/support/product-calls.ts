// product-calls: the calls the product test files make over and over — act as a user, ask a
// check, list stored tuples, write raw tuples, create an organization — against one server.
import { expect } from "vitest";
import { uid, type TestServer } from "./test-server.js";

/** productCalls takes a getter because the server is started in beforeAll, after this runs. */
export function productCalls(server: () => TestServer) {
  const as = (user: string) => ({ key: "manage" as const, actor: `user:${user}` });
  return {
    as,
    /** allowed asks the engine (admin key) whether the subject holds the permission. */
    async allowed(resource: string, permission: string, subject: string): Promise<boolean> {
      const res = await server().call("POST", "/v1/check", { body: { resource, permission, subject } });
      expect(res.status).toBe(200);
      return res.body.allowed as boolean;
    },
    /** tuples lists the stored relationships a filter selects, sorted. */
    async tuples(query: Record<string, string>): Promise<string[]> {
      const res = await server().call("GET", `/v1/relationships?${new URLSearchParams({ limit: "1000", ...query })}`);
      expect(res.status).toBe(200);
      return (res.body.relationships as Array<{ relationship: string }>).map((r) => r.relationship).sort();
    },
    /** raw writes relationships directly (admin key), bypassing the product rules. */
    async raw(...relationships: string[]): Promise<void> {
      const res = await server().call("POST", "/v1/relationships", { body: { updates: relationships.map((relationship) => ({ operation: "touch", relationship })) } });
      expect(res.status).toBe(200);
    },
    /** newOrg creates an organization owned by `owner` and returns its id. */
    async newOrg(owner: string, body: Record<string, unknown> = {}): Promise<string> {
      const id = uid("org");
      expect((await server().call("POST", "/v1/orgs", { ...as(owner), body: { id, ...body } })).status).toBe(201);
      return id;
    },
  };
}
