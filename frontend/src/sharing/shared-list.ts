// "Shared with me" on the home page: folders and notebooks others shared with the user by
// name, with their owner and the user's role; a shared folder opens as a tree to walk
// down (its sub-folders and notebooks, each with the user's role).
import type { SharedFolderListingOut, SharedNotebookOut, SharedWithMeOut } from "../api-types";
import { locationUrl } from "../views/home/model";
import { h } from "../views/dom";

const ROLE: Record<string, string> = { viewer: "Viewer", commenter: "Commenter", editor: "Editor", owner: "Owner" };

function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

function folderUrl(owner: string, path: string): string {
  return locationUrl({ view: "shared", owner, folder: path });
}

function folderRow(owner: string, path: string, role: string | null, when: string | null): HTMLElement {
  return h(
    "tr",
    { "data-testid": "shared-folder-row", "data-path": path },
    h("td", {}, h("a", { href: folderUrl(owner, path), "data-testid": "shared-folder-link" }, `📁 ${baseName(path)}`)),
    h("td", { "data-testid": "shared-owner" }, owner),
    h("td", { "data-testid": "shared-role" }, role ? (ROLE[role] ?? role) : ""),
    h("td", {}, when ? new Date(when).toLocaleString() : ""),
  );
}

function notebookRow(n: SharedNotebookOut): HTMLElement {
  return h(
    "tr",
    { "data-testid": "shared-row" },
    h("td", {}, h("a", { href: `/notebooks/${encodeURIComponent(n.id)}`, "data-testid": "shared-link" }, baseName(n.name))),
    h("td", { "data-testid": "shared-owner" }, n.owner),
    h("td", { "data-testid": "shared-role" }, ROLE[n.role] ?? n.role),
    h("td", {}, new Date(n.updated_at).toLocaleString()),
  );
}

function table(rows: HTMLElement[]): HTMLElement {
  return h(
    "table",
    { class: "drive-table", "data-testid": "shared-list" },
    h("thead", {}, h("tr", {}, ...["Name", "Owner", "Your role", "Modified"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, ...rows),
  );
}

export function sharedTable(shared: SharedWithMeOut): HTMLElement {
  if (!shared.notebooks.length && !shared.folders.length) {
    return h("p", { class: "home-empty", "data-testid": "shared-empty" }, "Nothing is shared with you yet.");
  }
  // Notebooks inside a shared folder are reached through it, not listed twice.
  const inFolder = (n: SharedNotebookOut) =>
    shared.folders.some((f) => f.owner === n.owner && n.name.startsWith(`${f.path}/`));
  return table([
    ...shared.folders.map((f) => folderRow(f.owner, f.path, f.role, null)),
    ...shared.notebooks.filter((n) => !inFolder(n)).map(notebookRow),
  ]);
}

/** Shared with me › owner's folder › sub-folder: crumbs from the shared folder down. */
export function sharedCrumbs(owner: string, path: string, shared: SharedWithMeOut): HTMLElement {
  const root = shared.folders
    .filter((f) => f.owner === owner && (path === f.path || path.startsWith(`${f.path}/`)))
    .sort((a, b) => a.path.length - b.path.length)[0]?.path;
  const ol = h("ol", { class: "crumbs" });
  ol.append(h("li", {}, h("a", { href: locationUrl({ view: "shared" }), "data-testid": "crumb" }, "Shared with me")));
  const parts = path.split("/");
  const start = root ? root.split("/").length : parts.length;
  for (let i = start; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join("/");
    const label = i === start ? `${baseName(prefix)} (${owner})` : parts[i - 1]!;
    ol.append(
      h(
        "li",
        {},
        i === parts.length
          ? h("span", { "aria-current": "location", "data-testid": "crumb" }, label)
          : h("a", { href: folderUrl(owner, prefix), "data-testid": "crumb" }, label),
      ),
    );
  }
  return h("nav", { class: "home-title", "aria-label": "Breadcrumbs", "data-testid": "breadcrumbs" }, ol);
}

export function sharedFolderTable(listing: SharedFolderListingOut): HTMLElement {
  const rows = [
    ...listing.folders.map((f) => folderRow(listing.folder.owner, f.path, listing.folder.role, f.updated_at)),
    ...listing.notebooks.map(notebookRow),
  ];
  if (!rows.length) return h("p", { class: "home-empty", "data-testid": "shared-empty" }, "This folder is empty.");
  return table(rows);
}
