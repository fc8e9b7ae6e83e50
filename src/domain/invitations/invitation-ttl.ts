// invitationTtl reads ACCORD_INVITATION_TTL, how long an invitation stays open: a number and
// a unit — `7d` (the default), `12h`, `30m`, `90s`, `2w`.
const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION = /^(\d{1,6})(s|m|h|d|w)$/;

export const DEFAULT_INVITATION_TTL = "7d";

/** parseDuration returns milliseconds; it throws a readable error for anything else. */
export function parseDuration(text: string, name = "ACCORD_INVITATION_TTL"): number {
  const match = DURATION.exec(text.trim());
  const ms = match ? Number(match[1]) * UNITS[match[2]!]! : 0;
  if (ms <= 0) throw new Error(`${name} must be a positive duration like 7d, 12h, 30m or 90s; got ${JSON.stringify(text)}`);
  return ms;
}
