// tabs: a view's sections as links (each has its own URL), the current one marked with
// aria-current so assistive technology and the stylesheet both know where you are.
import { href } from "../router";

export function Tabs({ base, tabs, current, label }: { base: string[]; tabs: Array<[string, string]>; current: string; label: string }) {
  return (
    <nav class="tabs" aria-label={label}>
      {tabs.map(([id, title]) => (
        <a key={id} href={href(...base, id)} aria-current={id === current ? "page" : undefined}>
          {title}
        </a>
      ))}
    </nav>
  );
}
