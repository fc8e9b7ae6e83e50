// Pins how SPICEDB_ENDPOINT becomes a gRPC target: one node as given, several nodes as one
// round-robin channel over their addresses (names resolved, one address family), and a
// readable error for a malformed list.
import { describe, expect, it } from "vitest";
import { resolveTarget, splitEndpoints } from "../../src/engine/remote/spicedb-target.js";

describe("SPICEDB_ENDPOINT", () => {
  it("keeps a single node as it is, with no balancing policy", async () => {
    expect(await resolveTarget("spicedb.internal:50051")).toEqual({ target: "spicedb.internal:50051", channelOptions: {}, nodes: ["spicedb.internal:50051"] });
  });

  it("turns a list of addresses into one round-robin channel", async () => {
    const target = await resolveTarget("127.0.0.1:50051, 127.0.0.2:50052");
    expect(target.target).toBe("ipv4:127.0.0.1:50051,127.0.0.2:50052");
    expect(JSON.parse(target.channelOptions["grpc.service_config"]!)).toEqual({ loadBalancingConfig: [{ round_robin: {} }] });
    expect((await resolveTarget("[::1]:1,[::2]:2")).target).toBe("ipv6:[::1]:1,[::2]:2");
  });

  it("resolves names in a list once, to one address family", async () => {
    const target = await resolveTarget("localhost:50051,127.0.0.1:50052");
    expect(target.target).toBe("ipv4:127.0.0.1:50051,127.0.0.1:50052");
    expect(target.nodes).toEqual(["localhost:50051", "127.0.0.1:50052"]);
  });

  it("refuses a malformed list with the entry named", () => {
    expect(() => splitEndpoints("spicedb:50051,spicedb")).toThrow(/"spicedb" is not host:port/);
    expect(() => splitEndpoints(" , ")).toThrow(/empty/);
  });
});
