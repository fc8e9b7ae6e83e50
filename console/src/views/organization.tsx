// organization: one organization — its name and seat usage on top, then tabs for members,
// groups, custom roles, pending invitations, projects and settings.
import { useEffect, useState } from "preact/hooks";
import { ApiError, path, type Json } from "../api";
import { ErrorBox } from "../components/error-box";
import { Tabs } from "../components/tabs";
import { useConsole, type Console } from "../context";
import { href } from "../router";
import { rememberRecent } from "../session";
import { InvitationsPanel } from "./invitations";
import { OrgGroups } from "./org-groups";
import { OrgMembers } from "./org-members";
import { OrgProjects } from "./org-projects";
import { OrgRoles } from "./org-roles";
import { OrgSettings } from "./org-settings";

const TABS: Array<[string, string]> = [
  ["members", "Members"],
  ["groups", "Groups"],
  ["roles", "Custom roles"],
  ["invitations", "Invitations"],
  ["projects", "Projects"],
  ["settings", "Settings"],
];

export function OrganizationView({ org, tab, sub }: { org: string; tab: string; sub?: string }) {
  const con = useConsole();
  const [info, setInfo] = useState<Json>();
  const [error, setError] = useState<unknown>();
  // version changes after every write that can change the seat count or the settings.
  const [version, setVersion] = useState(0);
  const changed = () => setVersion((v) => v + 1);

  useEffect(() => {
    con.api("GET", path`/v1/orgs/${org}`).then(
      (o) => {
        rememberRecent("organization", org);
        setInfo(o);
        setError(undefined);
      },
      setError,
    );
  }, [org, version]);

  return (
    <section>
      <p class="crumbs">
        <a href={href("orgs")}>Organizations</a> › {org}
      </p>
      <h1 tabIndex={-1}>
        {info?.name ?? org} <small>organization:{org}</small>
      </h1>
      {error !== undefined && <ErrorBox error={error} />}
      {info && <SeatUsage org={org} seatLimit={info.seatLimit} version={version} />}
      <Tabs base={["orgs", org]} tabs={TABS} current={tab} label="Organization sections" />
      <div class="panel">
        {tab === "members" && <OrgMembers org={org} onChanged={changed} />}
        {tab === "groups" && <OrgGroups org={org} group={sub} />}
        {tab === "roles" && <OrgRoles org={org} />}
        {tab === "invitations" && <InvitationsPanel scope="orgs" id={org} onChanged={changed} />}
        {tab === "projects" && <OrgProjects org={org} />}
        {tab === "settings" && info && <OrgSettings org={org} info={info} onChanged={changed} />}
      </div>
    </section>
  );
}

/** countAll pages through a list endpoint and counts its entries; undefined if unavailable. */
async function countAll(con: Console, url: string, field: string): Promise<number | undefined> {
  let total = 0;
  let cursor: string | undefined;
  try {
    do {
      const page: Json = await con.api("GET", `${url}${url.includes("?") ? "&" : "?"}limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      total += (page[field] as unknown[] | undefined)?.length ?? 0;
      cursor = page.cursor;
    } while (cursor);
    return total;
  } catch (err) {
    if (err instanceof ApiError) return undefined;
    throw err;
  }
}

/** SeatUsage: members plus pending invitations against the seat limit (rule 9). */
function SeatUsage({ org, seatLimit, version }: { org: string; seatLimit: number | null; version: number }) {
  const con = useConsole();
  const [usage, setUsage] = useState<{ members?: number; pending?: number }>();
  useEffect(() => {
    void Promise.all([countAll(con, path`/v1/orgs/${org}/members`, "members"), countAll(con, `${path`/v1/orgs/${org}/invitations`}?status=pending`, "invitations")]).then(
      ([members, pending]) => setUsage({ members, pending }),
    );
  }, [org, version]);
  if (!usage) return <p class="seats">Counting seats…</p>;
  const used = (usage.members ?? 0) + (usage.pending ?? 0);
  const full = seatLimit !== null && used >= seatLimit;
  return (
    <p class={`seats${full ? " full" : ""}`} data-testid="seat-usage">
      Seats: {usage.members ?? "?"} members{usage.pending !== undefined ? ` + ${usage.pending} pending invitations` : ""} ={" "}
      <strong>
        {used} of {seatLimit ?? "unlimited"}
      </strong>
      {full ? " — full: raise the limit in Settings to add or invite more" : ""}
    </p>
  );
}
