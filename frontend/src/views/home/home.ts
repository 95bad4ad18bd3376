// The home page at "/": the user's drive as Colab/Drive show it. My Drive (folders,
// breadcrumbs), Recent, Trash and search, chosen by the URL (see model.ts); rows and
// their actions are in rows.ts.
import "./home.css";

import { api, ApiError } from "../../api";
import type {
  FolderOut,
  Me,
  NotebookOut,
  SharedFolderListingOut,
  SharedWithMeOut,
  TrashItemOut,
} from "../../api-types";
import { sharedCrumbs, sharedFolderTable, sharedTable } from "../../sharing/shared-list";
import { h } from "../dom";
import { ICONS } from "../icons";
import { untitledName } from "../list";
import { promptDialog } from "./dialogs";
import { driveApi } from "./drive-api";
import {
  breadcrumbs,
  type HomeLocation,
  joinPath,
  locationUrl,
  parseLocation,
  recentFirst,
  type SortKey,
  sortFolders,
  sortNotebooks,
} from "./model";
import { closeRowMenu } from "./row-menu";
import { folderRow, notebookRow, type RowHost, trashRow } from "./rows";
import { pickNotebookFiles, uploadFiles } from "./upload";

const SORT_KEY = "cloudbook.home.sort";
const FIRST_ROWS = 100;
const ROW_CHUNK = 250;

function icon(name: keyof typeof ICONS): HTMLElement {
  const span = h("span", { class: "icon", "aria-hidden": "true" });
  span.innerHTML = ICONS[name];
  return span;
}

export class HomePage {
  private loc: HomeLocation;
  private sort: { key: SortKey; asc: boolean };
  private readonly main = h("main", { class: "home-main", "data-testid": "home-main" });
  private readonly status = h("p", { class: "error", role: "alert", "data-testid": "home-error" });
  private readonly live = h("div", { class: "sr-only", "aria-live": "polite", "data-testid": "home-status" });
  private readonly search = h("input", {
    type: "search",
    name: "q",
    placeholder: "Search notebooks",
    "aria-label": "Search notebooks",
    "data-testid": "search",
  });
  private allNames: string[] = [];
  private generation = 0;

  constructor(
    private root: HTMLElement,
    private me: Me,
    private navigate: (path: string) => void,
    private onLogout: () => void,
  ) {
    this.loc = parseLocation(location.search);
    const saved = localStorage.getItem(SORT_KEY)?.split(":");
    this.sort = {
      key: saved?.[0] === "name" ? "name" : "modified",
      asc: saved ? saved[1] === "asc" : false,
    };
  }

  async render(): Promise<void> {
    this.search.value = this.loc.q;
    const form = h("form", { class: "home-search", role: "search" }, icon("search"), this.search);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const q = this.search.value.trim();
      this.go(q ? { view: "search", q, folder: "" } : { view: "drive", folder: "", q: "" });
    });
    const logout = h("button", { type: "button", "data-testid": "logout" }, "Log out");
    logout.addEventListener("click", async () => {
      await api("POST", "/api/auth/logout").catch(() => undefined);
      this.onLogout();
    });
    const header = h(
      "header",
      { class: "home-header" },
      h("a", { href: "/", class: "brand", "data-nav": "" }, "cloudbook"),
      form,
      h("span", { class: "muted", "data-testid": "user-name" }, this.me.name),
      ...(this.me.is_admin ? [h("a", { href: "/admin", class: "admin-link", "data-testid": "admin-link" }, "Admin")] : []),
      logout,
    );
    const layout = h("div", { class: "home-layout" }, this.nav(), this.main);
    const page = h("div", { class: "home" }, header, layout, this.live);
    page.addEventListener("click", this.onLinkClick);
    this.root.replaceChildren(page);
    // Back to this tab: show what runtimes or other tabs wrote meanwhile.
    const onVisible = () => {
      if (!page.isConnected) return document.removeEventListener("visibilitychange", onVisible);
      if (document.visibilityState === "visible" && !document.querySelector(".modal")) void this.load();
    };
    document.addEventListener("visibilitychange", onVisible);
    this.attachDrop();
    await this.load();
  }

  /** Links inside the home page navigate without reloading (Ctrl/Cmd-click opens a tab). */
  private readonly onLinkClick = (e: MouseEvent) => {
    const a = (e.target as HTMLElement).closest("a");
    if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    const href = a.getAttribute("href");
    if (!href?.startsWith("/") || a.hasAttribute("download")) return;
    e.preventDefault();
    this.navigate(href);
  };

  private go(loc: HomeLocation): void {
    this.navigate(locationUrl(loc));
  }

  private nav(): HTMLElement {
    const button = (label: string, testid: string, name: keyof typeof ICONS, run: () => void, cls = "") => {
      const b = h("button", { type: "button", class: `nav-action ${cls}`, "data-testid": testid }, icon(name), label);
      b.addEventListener("click", run);
      return b;
    };
    const link = (label: string, view: HomeLocation["view"], name: keyof typeof ICONS) => {
      const current = this.loc.view === view;
      return h(
        "a",
        {
          href: locationUrl({ view }),
          class: `nav-link${current ? " current" : ""}`,
          "aria-current": current ? "page" : "false",
          "data-testid": `nav-${view}`,
        },
        icon(name),
        label,
      );
    };
    return h(
      "nav",
      { class: "home-nav", "aria-label": "Drive" },
      button("New notebook", "new-notebook", "file", () => void this.newNotebook(), "primary"),
      button("New folder", "new-folder", "newFolder", () => void this.newFolder()),
      button("Upload notebooks", "upload", "upload", () => void this.upload()),
      h("hr", {}),
      link("My Drive", "drive", "folder"),
      link("Shared with me", "shared", "folder"),
      link("Recent", "recent", "history"),
      link("Trash", "trash", "trash"),
    );
  }

  private folderHere(): string {
    return this.loc.view === "drive" ? this.loc.folder : "";
  }

  private host(): RowHost {
    return {
      reload: () => this.load(),
      say: (m) => this.say(m),
      fail: (e) => this.fail(e),
      openFolder: (folder) => this.go({ view: "drive", folder, q: "" }),
      folders: async () => (await driveApi.folders()).folders,
    };
  }

  async load(): Promise<void> {
    closeRowMenu();
    this.status.textContent = "";
    try {
      if (this.loc.view === "trash") return this.showTrash((await driveApi.trash()).items);
      if (this.loc.view === "shared" && this.loc.owner) {
        const q = new URLSearchParams({ owner: this.loc.owner, path: this.loc.folder });
        const [listing, shared] = await Promise.all([
          api<SharedFolderListingOut>("GET", `/api/shared-folder?${q.toString()}`),
          api<SharedWithMeOut>("GET", "/api/shared-with-me"),
        ]);
        return this.main.replaceChildren(
          sharedCrumbs(this.loc.owner, this.loc.folder, shared),
          this.status,
          sharedFolderTable(listing),
        );
      }
      if (this.loc.view === "shared") {
        const shared = await api<SharedWithMeOut>("GET", "/api/shared-with-me");
        return this.main.replaceChildren(
          h("h1", { class: "home-title", "data-testid": "home-title" }, "Shared with me"),
          this.status,
          sharedTable(shared),
        );
      }
      if (this.loc.view === "recent") {
        const all = await driveApi.list();
        this.allNames = all.notebooks.map((n) => n.name);
        return this.showRows("Recent", [], recentFirst(all.notebooks), true);
      }
      if (this.loc.view === "search") {
        const found = await driveApi.list({ q: this.loc.q });
        return this.showRows(`Search results for “${this.loc.q}”`, found.folders ?? [], found.notebooks, true);
      }
      const listing = await driveApi.list({ folder: this.loc.folder });
      this.allNames = listing.notebooks.map((n) => n.name);
      this.showRows(null, listing.folders ?? [], listing.notebooks, false);
    } catch (e) {
      if (e instanceof ApiError && e.code === "invalid_name") {
        this.go({ view: "drive", folder: "", q: "" });
        return;
      }
      this.fail(e);
      this.main.replaceChildren(this.status);
    }
  }

  private title(text: string | null): HTMLElement {
    if (text !== null) return h("h1", { class: "home-title", "data-testid": "home-title" }, text);
    const crumbs = breadcrumbs(this.loc.folder);
    const ol = h("ol", { class: "crumbs" });
    crumbs.forEach((c, i) => {
      const last = i === crumbs.length - 1;
      ol.append(
        h(
          "li",
          {},
          last
            ? h("span", { "aria-current": "location", "data-testid": "crumb" }, c.label)
            : h("a", { href: locationUrl({ view: "drive", folder: c.folder }), "data-testid": "crumb" }, c.label),
        ),
      );
    });
    return h("nav", { class: "home-title", "aria-label": "Breadcrumbs", "data-testid": "breadcrumbs" }, ol);
  }

  private sortHeader(label: string, key: SortKey): HTMLElement {
    const active = this.sort.key === key;
    const arrow = active ? (this.sort.asc ? " ↑" : " ↓") : "";
    const b = h("button", { type: "button", class: "sort", "data-testid": `sort-${key}` }, label + arrow);
    b.addEventListener("click", () => {
      this.sort = active ? { key, asc: !this.sort.asc } : { key, asc: key === "name" };
      localStorage.setItem(SORT_KEY, `${this.sort.key}:${this.sort.asc ? "asc" : "desc"}`);
      void this.load();
    });
    const sortState = active ? (this.sort.asc ? "ascending" : "descending") : "none";
    return h("th", { scope: "col", "aria-sort": sortState }, b);
  }

  private showRows(title: string | null, folders: FolderOut[], notebooks: NotebookOut[], flat: boolean): void {
    const { key, asc } = this.sort;
    const orderedNotebooks = this.loc.view === "recent" ? notebooks : sortNotebooks(notebooks, key, asc);
    const host = this.host();
    const makers: (() => HTMLTableRowElement)[] = [
      ...sortFolders(folders, key, asc).map((f) => () => folderRow(f, host, flat)),
      ...orderedNotebooks.map((n) => () => notebookRow(n, host, flat)),
    ];
    const tbody = h("tbody", {});
    this.fill(tbody, makers);
    const head =
      this.loc.view === "recent"
        ? h("tr", {}, h("th", { scope: "col" }, "Name"), h("th", { scope: "col" }, "Modified"), h("th", {}))
        : h("tr", {}, this.sortHeader("Name", "name"), this.sortHeader("Modified", "modified"), h("th", {}));
    const body = makers.length
      ? h("table", { class: "drive-table", "data-testid": "notebook-list" }, h("thead", {}, head), tbody)
      : this.empty();
    this.main.replaceChildren(this.title(title), this.status, body);
  }

  /** The first rows at once, the rest in chunks on later frames: a long drive becomes
   * usable after the first chunk, and no single task lays out thousands of rows. */
  private fill(tbody: HTMLElement, makers: (() => HTMLTableRowElement)[]): void {
    const generation = ++this.generation;
    const chunk = (from: number, size: number) => {
      if (generation !== this.generation) return;
      tbody.append(...makers.slice(from, from + size).map((make) => make()));
      if (from + size < makers.length) {
        requestAnimationFrame(() => setTimeout(() => chunk(from + size, ROW_CHUNK), 0));
      } else {
        tbody.dataset["complete"] = "true";
      }
    };
    chunk(0, FIRST_ROWS);
  }

  private empty(): HTMLElement {
    const text =
      this.loc.view === "search"
        ? `No notebooks or folders match “${this.loc.q}”. Try another part of the name.`
        : this.loc.view === "recent"
          ? "No notebooks yet. Create one with “New notebook”, or upload .ipynb files."
          : this.loc.folder
            ? "This folder is empty. Create a notebook or folder here, or drop .ipynb files on this page to upload them."
            : "Your drive has no notebooks yet. Create one with “New notebook”, or drop .ipynb files on this page to upload them.";
    return h("div", { class: "empty-state", "data-testid": "empty-state" }, icon(this.loc.view === "search" ? "search" : "folder"), h("p", {}, text));
  }

  private showTrash(items: TrashItemOut[]): void {
    const host = this.host();
    const emptyButton = h("button", { type: "button", "data-testid": "empty-trash" }, "Empty trash");
    emptyButton.disabled = !items.length;
    emptyButton.addEventListener("click", async () => {
      const { confirmDialog } = await import("./dialogs");
      const ok = await confirmDialog(
        "Empty trash?",
        `All ${items.length} item${items.length === 1 ? "" : "s"} in the Trash will be deleted forever. This cannot be undone.`,
        "Empty trash",
      );
      if (!ok) return;
      try {
        await driveApi.emptyTrash();
        this.say("Trash emptied.");
        await this.load();
      } catch (e) {
        this.fail(e);
      }
    });
    const title = h(
      "div",
      { class: "trash-title" },
      this.title("Trash"),
      h("span", { class: "muted" }, "Items in the Trash stay until you delete them forever or empty it."),
      emptyButton,
    );
    const body = items.length
      ? h(
          "table",
          { class: "drive-table", "data-testid": "trash-list" },
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Name"), h("th", { scope: "col" }, "Deleted"), h("th", {}))),
          h("tbody", {}, ...items.map((i) => trashRow(i, host))),
        )
      : h("div", { class: "empty-state", "data-testid": "empty-state" }, icon("trash"), h("p", {}, "The Trash is empty. Notebooks and folders you delete appear here, where you can restore them."));
    this.main.replaceChildren(title, this.status, body);
  }

  private say(message: string): void {
    this.live.textContent = message;
  }

  private fail(e: unknown): void {
    this.status.textContent = e instanceof Error ? e.message : "Something went wrong.";
  }

  private async newNotebook(): Promise<void> {
    const folder = this.folderHere();
    try {
      const taken = folder || this.loc.view !== "drive" ? (await driveApi.list({ folder })).notebooks.map((n) => n.name) : this.allNames;
      const name = joinPath(folder, untitledName(taken.map((n) => n.slice(n.lastIndexOf("/") + 1))));
      const nb = await driveApi.createNotebook(name);
      this.navigate(`/notebooks/${encodeURIComponent(nb.id)}`);
    } catch (e) {
      this.fail(e);
    }
  }

  private async newFolder(): Promise<void> {
    const folder = this.folderHere();
    const made = await promptDialog("New folder", "Untitled folder", (name) =>
      driveApi.createFolder(joinPath(folder, name.trim())),
      "Create",
    );
    if (made) {
      this.say(`Folder ${made.path} created.`);
      if (this.loc.view === "drive") await this.load();
      else this.go({ view: "drive", folder, q: "" });
    }
  }

  private async upload(files?: File[]): Promise<void> {
    const chosen = files ?? (await pickNotebookFiles());
    if (!chosen.length) return;
    const results = await uploadFiles(chosen, this.folderHere());
    const ok = results.filter((r) => r.notebook).length;
    this.say(`${ok} of ${results.length} notebooks uploaded.`);
    if (this.loc.view !== "trash") await this.load();
  }

  private attachDrop(): void {
    this.main.addEventListener("dragover", (e) => {
      if (!e.dataTransfer?.types.includes("Files")) return;
      e.preventDefault();
      this.main.classList.add("drop-target");
    });
    this.main.addEventListener("dragleave", () => this.main.classList.remove("drop-target"));
    this.main.addEventListener("drop", (e) => {
      this.main.classList.remove("drop-target");
      const files = [...(e.dataTransfer?.files ?? [])];
      if (!files.length) return;
      e.preventDefault();
      void this.upload(files);
    });
  }
}
