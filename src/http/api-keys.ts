// ApiKeyRing holds the API keys as SHA-256 hashes and finds the caller's key in constant time:
// every stored hash is compared with timingSafeEqual, so timing reveals neither which key
// matched nor how much of one did. Keys themselves are never stored or logged.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { ApiKeyConfig, Scope } from "../config.js";

export interface ApiKeyIdentity {
  name: string;
  scopes: ReadonlySet<Scope>;
}

interface StoredKey {
  name: string;
  hash: Buffer;
  scopes: ReadonlySet<Scope>;
}

const StoredKeyFile = z.array(z.object({ name: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), scopes: z.array(z.enum(["check", "manage", "admin"])) }));

export function hashKey(key: string): Buffer {
  return createHash("sha256").update(key, "utf8").digest();
}

export class ApiKeyRing {
  private constructor(private readonly keys: StoredKey[]) {}

  static fromConfig(keys: ApiKeyConfig[]): ApiKeyRing {
    return new ApiKeyRing(keys.map((k) => ({ name: k.name, hash: hashKey(k.key), scopes: new Set(k.scopes) })));
  }

  /**
   * forDataDir loads the hashed keys stored under the data dir. On the very first start
   * (no file yet) it generates an admin key, stores only its hash and returns the key once,
   * for the caller to print.
   */
  static forDataDir(dataDir: string): { ring: ApiKeyRing; generatedKey?: string } {
    const file = join(dataDir, "api-keys.json");
    if (existsSync(file)) {
      const stored = StoredKeyFile.parse(JSON.parse(readFileSync(file, "utf8")));
      return { ring: new ApiKeyRing(stored.map((k) => ({ name: k.name, hash: Buffer.from(k.sha256, "hex"), scopes: new Set(k.scopes) }))) };
    }
    const key = `accord_${randomBytes(24).toString("base64url")}`;
    mkdirSync(dataDir, { recursive: true });
    const entry = [{ name: "admin", sha256: hashKey(key).toString("hex"), scopes: ["admin"] }];
    writeFileSync(file, JSON.stringify(entry, null, 2) + "\n", { mode: 0o600 });
    return { ring: ApiKeyRing.fromConfig([{ name: "admin", key, scopes: ["admin"] }]), generatedKey: key };
  }

  /** identify returns the identity whose key hashes to the presented one, or undefined. */
  identify(presented: string): ApiKeyIdentity | undefined {
    const hash = hashKey(presented);
    let found: StoredKey | undefined;
    for (const key of this.keys) {
      if (timingSafeEqual(key.hash, hash) && !found) found = key;
    }
    return found ? { name: found.name, scopes: found.scopes } : undefined;
  }
}
