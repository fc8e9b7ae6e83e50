// Pins check coalescing (issue 8): concurrent /v1/check requests share bulk engine calls, yet
// each gets its own answer, its own error, and its own consistency.
import { describe, expect, it } from "vitest";
import { startTestServer, useTestServer, uid, } from "./support/test-server.js";

// Cache off, so every check reaches the coalescer; one engine call at a time, so the checks
// that arrive meanwhile are batched.
const server = useTestServer({}, { checkPath: { cache: false, coalesce: true, coalesceMaxInFlight: 1, coalesceMaxBatch: 100 } });

async function touch(...relationships: string[]): Promise<string> {
  const res = await server.call("POST", "/v1/relationships", {
    body: { updates: relationships.map((relationship) => ({ operation: "touch", relationship })) },
  });
  expect(res.status).toBe(200);
  return res.body.zedToken;
}

const check = (body: object) => server.call("POST", "/v1/check", { key: "check", body });

describe("coalesced checks", () => {
  it("route each answer back to its own request", async () => {
    const p = uid("p");
    const users = Array.from({ length: 40 }, (_, i) => `${uid("u")}x${i}`);
    // Even users view, every third edits; the rest have nothing.
    await touch(
      ...users.flatMap((u, i) => [
        ...(i % 2 === 0 ? [`project:${p}#viewer@user:${u}`] : []),
        ...(i % 3 === 0 ? [`project:${p}#editor@user:${u}`] : []),
      ]),
    );
    const before = server.checkPath.coalescer!.stats();
    const questions = users.flatMap((u, i) => [
      { body: { resource: `project:${p}`, permission: "view", subject: `user:${u}` }, expected: i % 2 === 0 || i % 3 === 0 },
      { body: { resource: `project:${p}`, permission: "edit", subject: `user:${u}` }, expected: i % 3 === 0 },
    ]);
    const answers = await Promise.all(questions.map((q) => check(q.body)));
    answers.forEach((res, i) => {
      expect(res.status).toBe(200);
      expect(res.body.allowed, JSON.stringify(questions[i]!.body)).toBe(questions[i]!.expected);
      expect(typeof res.body.zedToken).toBe("string");
    });
    const after = server.checkPath.coalescer!.stats();
    expect(after.checks - before.checks).toBe(questions.length);
    // They were answered in fewer engine calls than checks: they really were coalesced.
    expect(after.engineCalls - before.engineCalls).toBeLessThan(questions.length);
    expect(after.largestBatch).toBeGreaterThan(1);
  });

  it("keep an item's error with its item", async () => {
    const [p, u] = [uid("p"), uid("u")];
    await touch(`project:${p}#viewer@user:${u}`);
    const good = { resource: `project:${p}`, permission: "view", subject: `user:${u}` };
    const bodies = [
      good,
      { ...good, permission: "fly" },
      { ...good, subject: `user:${uid("nobody")}` },
      { ...good, resource: `spaceship:${p}` },
      good,
      { ...good, permission: "edit" },
    ];
    const answers = await Promise.all([...bodies, ...bodies, ...bodies].map(check));
    for (let i = 0; i < answers.length; i += bodies.length) {
      const [a, fly, nobody, spaceship, again, edit] = answers.slice(i, i + bodies.length);
      expect(a!.status).toBe(200);
      expect(a!.body.allowed).toBe(true);
      expect(fly!.status).toBe(400);
      expect(fly!.body).toMatchObject({ code: "invalid_request", field: "permission" });
      expect(nobody!.body.allowed).toBe(false);
      expect(spaceship!.status).toBe(400);
      expect(spaceship!.body).toMatchObject({ code: "invalid_request", field: "resource" });
      expect(again!.body.allowed).toBe(true);
      expect(edit!.status).toBe(200);
      expect(edit!.body.allowed).toBe(false);
    }
  });

  it("keep each request's consistency, and a bad token fails only its own request", async () => {
    const [p, u] = [uid("p"), uid("u")];
    const token = await touch(`project:${p}#viewer@user:${u}`);
    const ask = { resource: `project:${p}`, permission: "view", subject: `user:${u}` };
    const consistencies = [undefined, "full", { atLeastAsFresh: token }, "minimize_latency", { atLeastAsFresh: "not-a-token" }];
    const answers = await Promise.all(consistencies.flatMap((consistency) => [check({ ...ask, consistency }), check({ ...ask, consistency })]));
    answers.forEach((res, i) => {
      if (i >= 8) {
        expect(res.status).toBe(400);
        expect(res.body.code).toBe("invalid_request");
      } else {
        expect(res.status).toBe(200);
        // minimize_latency may answer from an older snapshot; every other one must see the write.
        if (i < 6) expect(res.body.allowed).toBe(true);
      }
    });
  });

  it("see a write acknowledged just before them, even when they arrive together", async () => {
    const p = uid("p");
    const users = Array.from({ length: 10 }, () => uid("u"));
    for (const [i, u] of users.entries()) {
      await touch(`project:${p}#editor@user:${u}`);
      const answers = await Promise.all(users.map((v) => check({ resource: `project:${p}`, permission: "edit", subject: `user:${v}` })));
      expect(answers.map((a) => a.body.allowed)).toEqual(users.map((_, j) => j <= i));
    }
  });

  it("answer identical checks arriving together with the same answer", async () => {
    const [p, u] = [uid("p"), uid("u")];
    await touch(`project:${p}#manager@user:${u}`);
    const answers = await Promise.all(Array.from({ length: 30 }, () => check({ resource: `project:${p}`, permission: "manage_members", subject: `user:${u}` })));
    expect(answers.every((a) => a.status === 200 && a.body.allowed === true)).toBe(true);
  });

  it("answer the same with coalescing off", async () => {
    const plain = await startTestServer({}, { checkPath: { cache: false, coalesce: false } });
    try {
      const [p, u, v] = [uid("p"), uid("u"), uid("v")];
      const relationships = [`project:${p}#viewer@user:${u}`, `project:${p}#manager@user:${v}`];
      for (const s of [server, plain]) {
        const res = await s.call("POST", "/v1/relationships", { body: { updates: relationships.map((relationship) => ({ operation: "touch", relationship })) } });
        expect(res.status).toBe(200);
      }
      const bodies = ["view", "edit", "manage_members", "delete_project"].flatMap((permission) =>
        [u, v, uid("w")].map((subject) => ({ resource: `project:${p}`, permission, subject: `user:${subject}` })),
      );
      const coalesced = await Promise.all(bodies.map((body) => server.call("POST", "/v1/check", { key: "check", body })));
      const single = await Promise.all(bodies.map((body) => plain.call("POST", "/v1/check", { key: "check", body })));
      expect(coalesced.map((r) => r.body.allowed)).toEqual(single.map((r) => r.body.allowed));
      expect(coalesced.some((r) => r.body.allowed)).toBe(true);
      expect(plain.checkPath.coalescer).toBeUndefined();
    } finally {
      await plain.close();
    }
  });
});
