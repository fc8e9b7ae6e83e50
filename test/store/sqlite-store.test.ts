// Pins the Store contract for the embedded SqliteStore.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { storeContract } from "./store-contract.js";

storeContract("SqliteStore", async () => {
  const dir = mkdtempSync(join(tmpdir(), "accord-store-"));
  return { store: await SqliteStore.open(dir), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});
