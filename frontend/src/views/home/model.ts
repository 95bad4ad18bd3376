// Pure helpers of the home page: where we are (from the URL), sorting, names.
import type { FolderOut, NotebookOut } from "../../api-types";

export type HomeView = "drive" | "recent" | "trash" | "search" | "shared";
export type SortKey = "name" | "modified";

export interface HomeLocation {
  view: HomeView;
  folder: string; // "" is the top of My Drive (in "shared": a folder of ``owner``'s drive)
  q: string;
  owner?: string; // "shared" with a folder: whose drive it is in
}

export function parseLocation(search: string): HomeLocation {
  const p = new URLSearchParams(search);
  const q = (p.get("q") ?? "").trim();
  const folder = (p.get("folder") ?? "").replace(/^\/+|\/+$/g, "");
  const v = p.get("view");
  if (q) return { view: "search", folder, q };
  const owner = p.get("owner") ?? "";
  if (v === "shared" && owner && folder) return { view: "shared", folder, q: "", owner };
  if (v === "recent" || v === "trash" || v === "shared") return { view: v, folder: "", q: "" };
  return { view: "drive", folder, q: "" };
}

export function locationUrl(loc: Partial<HomeLocation>): string {
  const p = new URLSearchParams();
  if (loc.q) p.set("q", loc.q);
  else if (loc.view === "shared" && loc.owner && loc.folder) {
    p.set("view", "shared");
    p.set("owner", loc.owner);
    p.set("folder", loc.folder);
  } else if (loc.view === "recent" || loc.view === "trash" || loc.view === "shared") p.set("view", loc.view);
  else if (loc.folder) p.set("folder", loc.folder);
  const s = p.toString();
  return s ? `/?${s}` : "/";
}

/** My Drive › a › b: each crumb with the folder it opens. */
export function breadcrumbs(folder: string): { label: string; folder: string }[] {
  const crumbs = [{ label: "My Drive", folder: "" }];
  const parts = folder ? folder.split("/") : [];
  parts.forEach((part, i) => crumbs.push({ label: part, folder: parts.slice(0, i + 1).join("/") }));
  return crumbs;
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i);
}

export function joinPath(folder: string, name: string): string {
  return folder ? `${folder}/${name}` : name;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

export function sortNotebooks(list: NotebookOut[], key: SortKey, ascending: boolean): NotebookOut[] {
  const sign = ascending ? 1 : -1;
  return [...list].sort((a, b) =>
    key === "name"
      ? sign * collator.compare(baseName(a.name), baseName(b.name))
      : sign * a.updated_at.localeCompare(b.updated_at),
  );
}

export function sortFolders(list: FolderOut[], key: SortKey, ascending: boolean): FolderOut[] {
  const sign = ascending ? 1 : -1;
  return [...list].sort((a, b) =>
    key === "name"
      ? sign * collator.compare(baseName(a.path), baseName(b.path))
      : sign * a.updated_at.localeCompare(b.updated_at),
  );
}

/** "Recent": last opened or modified first. */
export function recentFirst(list: NotebookOut[], limit = 50): NotebookOut[] {
  const when = (n: NotebookOut) => {
    const opened = n.opened_at ?? "";
    return opened > n.updated_at ? opened : n.updated_at;
  };
  return [...list].sort((a, b) => when(b).localeCompare(when(a))).slice(0, limit);
}

/** A name typed for a notebook: ".ipynb" added when missing; "" when unusable. */
export function notebookFileName(typed: string): string {
  const name = typed.trim();
  if (!name || name.includes("/") || name.includes("\\")) return "";
  return name.toLowerCase().endsWith(".ipynb") ? name : `${name}.ipynb`;
}

// Intl formatters are costly to make: one each, reused for every row.
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dateFormat = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric" });

export function formatWhen(iso: string, now = new Date()): string {
  const d = new Date(iso);
  const today =
    d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
  return today ? timeFormat.format(d) : dateFormat.format(d);
}
