// keys-command: `accord keys create --name <n> --scopes check,manage | list | revoke <name>`.
// Keys live in the key file (ACCORD_API_KEYS_FILE, or api-keys.json under ACCORD_DATA_DIR) as
// SHA-256 hashes; a created key is printed once. A running server picks changes up within a
// second, without a restart.
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig, type Scope } from "../config.js";
import { createKey, readKeyFile, revokeKey } from "../auth/api-keys.js";
import type { Command } from "./command.js";

const SCOPES: Scope[] = ["check", "manage", "admin"];
const USAGE = "usage: accord keys create --name <name> --scopes <check,manage,admin> | keys list | keys revoke <name>   [--file <path>]\n";

function keyFile(explicit: string | undefined): string {
  if (explicit) return resolve(explicit);
  const config = loadConfig();
  return config.apiKeysFile ? resolve(config.apiKeysFile) : join(resolve(config.dataDir), "api-keys.json");
}

export const keysCommand: Command = {
  summary: "create, list or revoke API keys (stored as hashes)",
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { name: { type: "string" }, scopes: { type: "string" }, file: { type: "string" } },
    });
    const [action, target] = positionals;
    const file = keyFile(values.file);
    if (action === "create") {
      const scopes = (values.scopes ?? "").split(",").map((s) => s.trim()).filter(Boolean);
      if (!values.name || !/^[A-Za-z0-9_.-]{1,128}$/.test(values.name) || scopes.length === 0 || scopes.some((s) => !SCOPES.includes(s as Scope))) {
        process.stderr.write(USAGE);
        return 2;
      }
      try {
        const key = createKey(file, values.name, scopes as Scope[]);
        process.stdout.write(`${key}\n`);
        process.stderr.write(`created key '${values.name}' (${scopes.join(", ")}) in ${file}; it is shown only this once\n`);
        return 0;
      } catch (err) {
        process.stderr.write(`accord keys: ${(err as Error).message}\n`);
        return 1;
      }
    }
    if (action === "list") {
      for (const entry of readKeyFile(file)) {
        const created = "createdAt" in entry && entry.createdAt ? `  created ${entry.createdAt}` : "";
        process.stdout.write(`${entry.name}\t${entry.scopes.join(",")}${created}\n`);
      }
      return 0;
    }
    if (action === "revoke" && target) {
      if (revokeKey(file, target)) {
        process.stderr.write(`revoked key '${target}'\n`);
        return 0;
      }
      process.stderr.write(`accord keys: no key named '${target}' in ${file}\n`);
      return 1;
    }
    process.stderr.write(USAGE);
    return 2;
  },
};
