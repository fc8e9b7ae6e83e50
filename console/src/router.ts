// router: hash routes (#/orgs/acme/members), so the server serves one page and a reload or a
// copied link lands on the same view. Segments are URL-decoded.
import { useEffect, useState } from "preact/hooks";

export function currentRoute(): string[] {
  const hash = location.hash.replace(/^#\/?/, "");
  return hash ? hash.split("/").map((s) => decodeURIComponent(s)) : [];
}

/** useRoute re-renders on every hash change and returns the route's segments. */
export function useRoute(): string[] {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const onChange = () => setRoute(currentRoute());
    addEventListener("hashchange", onChange);
    return () => removeEventListener("hashchange", onChange);
  }, []);
  return route;
}

/** href builds a hash link from segments, each URL-encoded. */
export function href(...segments: string[]): string {
  return `#/${segments.map(encodeURIComponent).join("/")}`;
}

export function navigate(...segments: string[]): void {
  location.hash = href(...segments);
}
