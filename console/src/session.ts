// session: the signed-in key and actor, kept in sessionStorage only (gone when the tab
// closes; never localStorage, never a cookie), so a shared machine keeps no credentials.
export interface Session {
  /** The API key (scope manage or admin), sent as a bearer token. */
  key: string;
  /** The user the console acts for, `user:<id>` (X-Actor). */
  actor: string;
  /** Optional verified e-mail (X-Actor-Email), for accepting e-mail invitations. */
  email?: string;
  /** Whether the key holds the admin scope (raw relationships, audit log). */
  admin: boolean;
}

const STORAGE_KEY = "accord.console.session";

export function loadSession(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return undefined;
    const s = JSON.parse(raw) as Partial<Session>;
    if (typeof s.key !== "string" || typeof s.actor !== "string") return undefined;
    return { key: s.key, actor: s.actor, admin: s.admin === true, ...(s.email ? { email: s.email } : {}) };
  } catch {
    return undefined;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(STORAGE_KEY);
  sessionStorage.removeItem(RECENT_KEY);
}

const RECENT_KEY = "accord.console.recent";

/**
 * rememberRecent keeps the ids the actor opened or created this session, per kind: a key
 * without the `check` scope cannot look up "my organizations", so the console lists these.
 */
export function rememberRecent(kind: "organization" | "project" | "resource", id: string): void {
  const all = readRecent();
  const list = [id, ...(all[kind] ?? []).filter((x) => x !== id)].slice(0, 20);
  sessionStorage.setItem(RECENT_KEY, JSON.stringify({ ...all, [kind]: list }));
}

export function recent(kind: "organization" | "project" | "resource"): string[] {
  return readRecent()[kind] ?? [];
}

function readRecent(): Record<string, string[]> {
  try {
    return JSON.parse(sessionStorage.getItem(RECENT_KEY) ?? "{}") as Record<string, string[]>;
  } catch {
    return {};
  }
}
