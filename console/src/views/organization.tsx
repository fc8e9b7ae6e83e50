// organization: one organization — its name and seat usage on top, then tabs for members,
// groups, custom roles, pending invitations, projects and settings.
import { useEffect, useState } from "preact/hooks";
import { path, type Json } from "../api";
import { ErrorBox } from "../components/error-box";
import { Tabs } from "../components/tabs";
import { useConsole } from "../context";
import { href } from "../router";
import { rememberRecent } from "../session";
import { InvitationsPanel } from "./invitations";
import { OrgGroups } from "./org-groups";
import type { Seats } from "./org-invite";
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
      {info?.seats && <SeatUsage seats={info.seats} />}
      <Tabs base={["orgs", org]} tabs={TABS} current={tab} label="Organization sections" />
      <div class="panel">
        {tab === "members" && <OrgMembers org={org} seats={info?.seats} onChanged={changed} />}
        {tab === "groups" && <OrgGroups org={org} group={sub} />}
        {tab === "roles" && <OrgRoles org={org} />}
        {tab === "invitations" && <InvitationsPanel scope="orgs" id={org} onChanged={changed} />}
        {tab === "projects" && <OrgProjects org={org} />}
        {tab === "settings" && info && <OrgSettings org={org} info={info} onChanged={changed} />}
      </div>
    </section>
  );
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

/** SeatUsage: members plus pending invitations against the seat limit (rules 9 and 16), as the server counts them. */
function SeatUsage({ seats }: { seats: Seats }) {
  const used = seats.members + seats.pending;
  const full = seats.available !== null && seats.available <= 0;
  return (
    <p class={`seats${full ? " full" : ""}`} data-testid="seat-usage">
      Seats: {plural(seats.members, "member")} + {plural(seats.pending, "pending invitation")} ={" "}
      <strong>
        {used} of {seats.limit ?? "unlimited"}
      </strong>
      {seats.available === null ? "" : full ? " — full: raise the limit in Settings to add or invite more" : ` — ${seats.available} available`}
    </p>
  );
}
