// Pins which writes the remote engine's transport may retry while SpiceDB is Unavailable: only
// touches and deletes without preconditions (applying them twice leaves the same relationships);
// a create or a precondition goes once, so a lost answer never applies it twice.
import { v1 } from "@authzed/authzed-node";
import { describe, expect, it } from "vitest";
import { isIdempotentWrite } from "../../src/engine/remote/grpc-transport.js";

const { TOUCH, CREATE, DELETE } = v1.RelationshipUpdate_Operation;
const update = (operation: v1.RelationshipUpdate_Operation) =>
  v1.RelationshipUpdate.create({
    operation,
    relationship: v1.Relationship.create({
      resource: v1.ObjectReference.create({ objectType: "resource", objectId: "r1" }),
      relation: "viewer",
      subject: v1.SubjectReference.create({ object: v1.ObjectReference.create({ objectType: "user", objectId: "u1" }) }),
    }),
  });
const write = (operations: v1.RelationshipUpdate_Operation[], preconditions: v1.Precondition[] = []) =>
  v1.WriteRelationshipsRequest.create({ updates: operations.map(update), optionalPreconditions: preconditions });

describe("isIdempotentWrite", () => {
  it("retries touches and deletes", () => {
    expect(isIdempotentWrite(write([TOUCH]))).toBe(true);
    expect(isIdempotentWrite(write([TOUCH, DELETE, DELETE]))).toBe(true);
  });
  it("never retries a create, alone or among touches", () => {
    expect(isIdempotentWrite(write([CREATE]))).toBe(false);
    expect(isIdempotentWrite(write([TOUCH, CREATE]))).toBe(false);
  });
  it("never retries a write with a precondition", () => {
    const precondition = v1.Precondition.create({
      operation: v1.Precondition_Operation.MUST_NOT_MATCH,
      filter: v1.RelationshipFilter.create({ resourceType: "resource", optionalResourceId: "r1" }),
    });
    expect(isIdempotentWrite(write([TOUCH], [precondition]))).toBe(false);
  });
});
