// Pins @accord/client's generated types to the server: the types the running server's
// /openapi.json generates are the committed packages/client/src/openapi.d.ts, byte for byte.
// When a route's schema changes, run `npm run client:types` and commit the result.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CLIENT_TYPES_FILE, generateClientTypes, serverDocument } from "../../tools/client-types/generate.js";
import { useTestServer } from "../support/test-server.js";

const server = useTestServer();

describe("the client's generated types", () => {
  it("are what the server's /openapi.json generates (else: npm run client:types)", async () => {
    const served = await server.call("GET", "/openapi.json", { key: null });
    expect(served.status).toBe(200);
    const committed = readFileSync(CLIENT_TYPES_FILE, "utf8");
    const generated = await generateClientTypes(served.body);
    // A drift shows as a diff of the two texts; the message says how to fix it.
    expect(generated, "packages/client/src/openapi.d.ts is stale: run `npm run client:types`").toBe(committed);
  });

  it("the generator's in-process document is the one the server serves", async () => {
    const served = await server.call("GET", "/openapi.json", { key: null });
    expect(serverDocument()).toEqual(served.body);
  });
});
