// ApiKeyRing holds the API keys as SHA-256 hashes and finds the caller's key in constant time:
// every stored hash is compared with timingSafeEqual, so timing reveals neither which key
// matched nor how much of one did. Keys themselves are never stored or logged.
//
// Key files (the data dir's api-keys.json, or ACCORD_API_KEYS_FILE) hold entries
// {name, sha256, scopes} — or {name, key, scopes} written by an operator — and are re-read
// when they change, so `accord keys create|revoke` takes effect without a restart.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
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

const ScopeList = z.array(z.enum(["check", "manage", "admin"])).min(1);
const KeyFileEntry = z.union([
  z.object({ name: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/), scopes: ScopeList, createdAt: z.string().optional() }),
  z.object({ name: z.string().min(1), key: z.string().min(16), scopes: ScopeList }),
]);
const KeyFile = z.array(KeyFileEntry);
export type KeyFileEntry = z.infer<typeof KeyFileEntry>;

export function hashKey(key: string): Buffer {
  return createHash("sha256").update(key, "utf8").digest();
}

/** newKey makes a random API key. */
export function newKey(): string {
  return `accord_${randomBytes(24).toString("base64url")}`;
}

export class ApiKeyRing {
  private constructor(private readonly keys: StoredKey[]) {}

  static fromConfig(keys: ApiKeyConfig[]): ApiKeyRing {
    return new ApiKeyRing(keys.map((k) => ({ name: k.name, hash: hashKey(k.key), scopes: new Set(k.scopes) })));
  }

  static fromEntries(entries: KeyFileEntry[]): ApiKeyRing {
    return new ApiKeyRing(
      entries.map((e) => ({ name: e.name, hash: "sha256" in e ? Buffer.from(e.sha256, "hex") : hashKey(e.key), scopes: new Set(e.scopes) })),
    );
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

export function readKeyFile(path: string): KeyFileEntry[] {
  if (!existsSync(path)) return [];
  return KeyFile.parse(JSON.parse(readFileSync(path, "utf8")));
}

function writeKeyFile(path: string, entries: KeyFileEntry[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(entries, null, 2) + "\n", { mode: 0o600 });
  renameSync(temporary, path);
}

/** createKey adds a key to the file, storing only its hash, and returns the key (shown once). */
export function createKey(path: string, name: string, scopes: Scope[]): string {
  const entries = readKeyFile(path);
  if (entries.some((e) => e.name === name)) throw new Error(`a key named '${name}' exists already`);
  const key = newKey();
  entries.push({ name, sha256: hashKey(key).toString("hex"), scopes, createdAt: new Date().toISOString() });
  writeKeyFile(path, entries);
  return key;
}

/** revokeKey removes the named key; it reports whether there was one. */
export function revokeKey(path: string, name: string): boolean {
  const entries = readKeyFile(path);
  const kept = entries.filter((e) => e.name !== name);
  if (kept.length === entries.length) return false;
  writeKeyFile(path, kept);
  return true;
}

/**
 * keyFileRing serves the keys of a file plus fixed keys (ACCORD_API_KEYS), re-reading the file
 * at most once a second when its modification time changed. A file that fails to parse
 * keeps the previous keys (and reports it once through onError).
 */
export function keyFileRing(path: string, fixed: ApiKeyConfig[] = [], onError?: (err: Error) => void): () => ApiKeyRing {
  let ring = ApiKeyRing.fromEntries([...fixed, ...readKeyFile(path)]);
  let seen = existsSync(path) ? statSync(path).mtimeMs : 0;
  let checkedAt = Date.now();
  return () => {
    const now = Date.now();
    if (now - checkedAt < 1000) return ring;
    checkedAt = now;
    const mtime = existsSync(path) ? statSync(path).mtimeMs : 0;
    if (mtime !== seen) {
      seen = mtime;
      try {
        ring = ApiKeyRing.fromEntries([...fixed, ...readKeyFile(path)]);
      } catch (err) {
        onError?.(err as Error);
      }
    }
    return ring;
  };
}
