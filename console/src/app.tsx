// app: the shell — sign-in until there is a session, then the header, the navigation and the
// view the hash route names. Focus moves to the view's heading on every navigation, so
// keyboard and screen-reader users land where the content is.
import { useEffect, useRef, useState } from "preact/hooks";
import { SessionContext } from "./context";
import { href, useRoute } from "./router";
import { clearSession, loadSession, saveSession, type Session } from "./session";
import { AuditView } from "./views/audit";
import { ContainerView } from "./views/container";
import { ExplainView } from "./views/explain";
import { InvitationView } from "./views/invitation";
import { OrganizationView } from "./views/organization";
import { OrganizationsView } from "./views/organizations";
import { ProjectView } from "./views/project";
import { ProjectsView } from "./views/projects";
import { RelationshipsView } from "./views/relationships";
import { ResourceView } from "./views/resource";
import { SignIn } from "./views/sign-in";

export function App() {
  const [session, setSession] = useState<Session | undefined>(loadSession);
  const route = useRoute();

  if (!session) {
    return (
      <SignIn
        onSignedIn={(s) => {
          saveSession(s);
          setSession(s);
        }}
      />
    );
  }
  const signOut = () => {
    clearSession();
    setSession(undefined);
  };
  return (
    <SessionContext.Provider value={session}>
      <Shell session={session} route={route} onSignOut={signOut} />
    </SessionContext.Provider>
  );
}

const NAV: Array<{ id: string; title: string; admin?: boolean }> = [
  { id: "orgs", title: "Organizations" },
  { id: "projects", title: "Projects" },
  { id: "invitations", title: "My invitations" },
  { id: "explain", title: "Check & explain" },
  { id: "relationships", title: "Relationships", admin: true },
  { id: "audit", title: "Audit log", admin: true },
];

function Shell({ session, route, onSignOut }: { session: Session; route: string[]; onSignOut: () => void }) {
  const main = useRef<HTMLElement>(null);
  const section = route[0] ?? "orgs";
  // Workspaces, folders and resources live in projects: the navigation says so.
  const current = ["workspaces", "folders", "resources"].includes(section) ? "projects" : section;
  useEffect(() => {
    main.current?.querySelector<HTMLElement>("h1")?.focus();
  }, [route.join("/")]);

  return (
    <div class="shell">
      {/* biome-ignore lint/a11y/useValidAnchor: a skip link is a real link to #main; the handler only moves focus to the page's heading */}
      <a
        class="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          main.current?.querySelector<HTMLElement>("h1")?.focus();
        }}
      >
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Accord console</span>
        <span class="who">
          Acting as <strong data-testid="actor">{session.actor}</strong> with {session.admin ? "an admin" : "a manage"} key
        </span>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <nav class="side" aria-label="Sections">
        <ul>
          {NAV.filter((n) => !n.admin || session.admin).map((n) => (
            <li key={n.id}>
              <a href={href(n.id)} aria-current={current === n.id ? "page" : undefined}>
                {n.title}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" ref={main}>
        <View route={route} admin={session.admin} />
      </main>
    </div>
  );
}

function View({ route, admin }: { route: string[]; admin: boolean }) {
  const [section, id, tab, sub] = route;
  switch (section) {
    case undefined:
    case "orgs":
      return id ? <OrganizationView key={id} org={id} tab={tab ?? "members"} sub={sub} /> : <OrganizationsView />;
    case "projects":
      return id ? <ProjectView key={id} project={id} tab={tab ?? "members"} /> : <ProjectsView />;
    case "resources":
      return id ? <ResourceView key={id} resource={id} /> : <ProjectsView />;
    case "workspaces":
    case "folders":
      return id ? <ContainerView key={`${section}/${id}`} type={section === "workspaces" ? "workspace" : "folder"} id={id} /> : <ProjectsView />;
    case "invitations":
      return <InvitationView key={id ?? ""} id={id} />;
    case "explain":
      return <ExplainView key={route.join("/")} preset={route.slice(1)} />;
    case "relationships":
      return admin ? <RelationshipsView /> : <AdminOnly />;
    case "audit":
      return admin ? <AuditView /> : <AdminOnly />;
    default:
      return (
        <section>
          <h1 tabIndex={-1}>Not found</h1>
          <p>
            No view at this address. <a href={href("orgs")}>Go to organizations</a>.
          </p>
        </section>
      );
  }
}

function AdminOnly() {
  return (
    <section>
      <h1 tabIndex={-1}>Admin key needed</h1>
      <p>This view reads and writes raw relationships and the audit log: sign in with an API key that has the admin scope.</p>
    </section>
  );
}
