// "Shared with me" on the home page: notebooks others shared with the user by name
// (directly or through a folder), with their owner and the user's role.
import type { SharedWithMeOut } from "../api-types";
import { h } from "../views/dom";

const ROLE: Record<string, string> = { viewer: "Viewer", commenter: "Commenter", editor: "Editor" };

export function sharedTable(shared: SharedWithMeOut): HTMLElement {
  if (!shared.notebooks.length) {
    return h("p", { class: "home-empty", "data-testid": "shared-empty" }, "Nothing is shared with you yet.");
  }
  const rows = shared.notebooks.map((n) =>
    h(
      "tr",
      { "data-testid": "shared-row" },
      h("td", {}, h("a", { href: `/notebooks/${encodeURIComponent(n.id)}`, "data-testid": "shared-link" },
        n.name.slice(n.name.lastIndexOf("/") + 1))),
      h("td", { "data-testid": "shared-owner" }, n.owner),
      h("td", { "data-testid": "shared-role" }, ROLE[n.role] ?? n.role),
      h("td", {}, new Date(n.updated_at).toLocaleString()),
    ),
  );
  return h(
    "table",
    { class: "drive-table", "data-testid": "shared-list" },
    h("thead", {}, h("tr", {}, ...["Name", "Owner", "Your role", "Modified"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, ...rows),
  );
}
