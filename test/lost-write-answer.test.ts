// Pins what a multi-step change does when the engine's answer to its write is lost (the engine
// became unreachable after committing, or before): the outcome is read back fully consistent, so
// an invitation acceptance whose grant did commit is completed (the invitation accepted, the
// member in the directory), and one whose grant did not commit answers 503 with nothing granted
// and the invitation still pending — never a member beside a pending invitation. Found on the
// real-SpiceDB cluster with PostgreSQL restarted under write load.
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { describe, expect, it } from "vitest";
import { buildApp } from "../src/compose.js";
import { ApiKeyRing } from "../src/auth/api-keys.js";
import { createLogger } from "../src/logger.js";
import { EngineError, type Engine, type RelationshipUpdate } from "../src/engine/engine.js";
import { KEYS, useTestServer, uid } from "./support/test-server.js";
import { productCalls } from "./support/product-calls.js";

const server = useTestServer();
const { as, allowed, tuples, newOrg } = productCalls(() => server);

type Fault = "answer lost after commit" | "fails before commit";
const lost = () => new EngineError({ kind: "unavailable", message: "connection reset by peer" });

/**
 * replicaWhoseWrites serves the same engine, except that the first write touching `user`
 * fails as `fault` says; `readFailures` reads after it fail too (the engine still restarting).
 */
async function replicaWhoseWrites(user: string, fault: Fault, readFailures = 0) {
  let armed = true;
  let failReads = 0;
  const engine = new Proxy(server.engine as Engine, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== "function") return value;
      const bound = (value as (...args: never[]) => unknown).bind(target);
      if (property === "write") {
        return async (updates: RelationshipUpdate[], preconditions?: unknown) => {
          if (!armed || !updates.some((u) => u.relationship.subject.id === user)) return bound(updates as never, preconditions as never);
          armed = false;
          failReads = readFailures;
          if (fault === "answer lost after commit") await bound(updates as never, preconditions as never);
          throw lost();
        };
      }
      if (property === "readRelationships") {
        return async (...args: never[]) => {
          if (failReads > 0) {
            failReads -= 1;
            throw lost();
          }
          return bound(...args);
        };
      }
      return bound;
    },
  });
  const app = buildApp({ engine, store: server.store, keys: ApiKeyRing.fromConfig([{ name: "manage", key: KEYS.manage, scopes: ["manage"] }]), logger: createLogger("silent") });
  const listener: Server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  return {
    async accept(id: string) {
      const res = await fetch(`${url}/v1/invitations/${id}/accept`, { method: "POST", headers: { authorization: `Bearer ${KEYS.manage}`, "x-actor": `user:${user}` } });
      return { status: res.status, body: (await res.json()) as { code?: string } };
    },
    async close() {
      listener.closeAllConnections();
      await new Promise((resolve) => listener.close(resolve));
    },
  };
}

/** invited: an organization with a project and a pending invitation of `user` as member with editor on it. */
async function invited(user: string) {
  const owner = uid("own");
  const org = await newOrg(owner);
  const project = uid("p");
  expect((await server.call("POST", "/v1/projects", { ...as(owner), body: { id: project, owner: `organization:${org}` } })).status).toBe(201);
  const sent = await server.call("POST", `/v1/orgs/${org}/invitations`, { ...as(owner), body: { invitees: [user], role: "member", projects: [{ project, role: "editor" }] } });
  expect(sent.status).toBe(200);
  return { owner, org, project, id: sent.body.results[0].invitation.id as string };
}

const pendingIds = async (org: string, owner: string) =>
  (await server.call("GET", `/v1/orgs/${org}/invitations?status=pending`, as(owner))).body.invitations.map((i: { id: string }) => i.id);
const directory = async (org: string, owner: string) => (await server.call("GET", `/v1/orgs/${org}/members`, as(owner))).body.members.map((m: { user: string }) => m.user);

describe("an invitation acceptance whose write answer is lost", () => {
  it("completes when the grant did commit: 200, member with the project role, invitation accepted", async () => {
    const ada = uid("ada");
    const w = await invited(ada);
    const replica = await replicaWhoseWrites(ada, "answer lost after commit");
    try {
      expect((await replica.accept(w.id)).status).toBe(200);
    } finally {
      await replica.close();
    }
    expect(await allowed(`project:${w.project}`, "edit", `user:${ada}`)).toBe(true);
    expect(await tuples({ resourceType: "organization", resourceId: w.org, subjectType: "user", subjectId: ada })).toContain(`organization:${w.org}#member@user:${ada}`);
    expect(await pendingIds(w.org, w.owner)).toEqual([]);
    expect(await directory(w.org, w.owner)).toContain(ada);
  });

  it("completes when reading the outcome back fails at first (the engine still coming back)", async () => {
    const bo = uid("bo");
    const w = await invited(bo);
    const replica = await replicaWhoseWrites(bo, "answer lost after commit", 3);
    try {
      expect((await replica.accept(w.id)).status).toBe(200);
    } finally {
      await replica.close();
    }
    expect(await allowed(`project:${w.project}`, "edit", `user:${bo}`)).toBe(true);
    expect(await pendingIds(w.org, w.owner)).toEqual([]);
    expect(await directory(w.org, w.owner)).toContain(bo);
  });

  it("answers 503 engine_unavailable when the grant did not commit: nothing granted, the invitation still pending, accepted later", async () => {
    const cy = uid("cy");
    const w = await invited(cy);
    const replica = await replicaWhoseWrites(cy, "fails before commit");
    try {
      const res = await replica.accept(w.id);
      expect([res.status, res.body.code]).toEqual([503, "engine_unavailable"]);
    } finally {
      await replica.close();
    }
    expect(await allowed(`project:${w.project}`, "view", `user:${cy}`)).toBe(false);
    expect(await tuples({ resourceType: "organization", resourceId: w.org, subjectType: "user", subjectId: cy })).toEqual([]);
    expect(await pendingIds(w.org, w.owner)).toEqual([w.id]);
    expect(await directory(w.org, w.owner)).not.toContain(cy);
    expect((await server.call("POST", `/v1/invitations/${w.id}/accept`, as(cy))).status).toBe(200);
    expect(await allowed(`project:${w.project}`, "edit", `user:${cy}`)).toBe(true);
  });
});
