// Files of the notebook's runtime (/content), as Colab's Files panel: browse folders,
// upload (several files, a progress bar each, chunked), download, rename, delete,
// new folder, refresh. `cloudbook:files-view` ({detail: {path}}) opens it at a path.
import "./files-panel.css";

import { api, ApiError } from "../api";
import type { DirectoryOut, FileOut, SessionOut } from "../api-types";
import { h } from "./dom";
import { uploadFile } from "./file-upload";
import { ICONS } from "./icons";
import type { NotebookContext } from "./page-context";
import type { Panel } from "./sidebar";

const ROOT = "/content";

function parentOf(path: string): string {
  const cut = path.lastIndexOf("/");
  return cut <= ROOT.length ? ROOT : path.slice(0, cut);
}

function iconButton(icon: string, label: string, testid: string, onClick: () => void) {
  const b = h("button", {
    class: "icon-button",
    title: label,
    "aria-label": label,
    "data-testid": testid,
  });
  b.innerHTML = icon;
  b.addEventListener("click", (e) => {
    e.stopPropagation();
    onClick();
  });
  return b;
}

export class FilesPanel {
  readonly panel: Panel;
  private el = h("div", { class: "files-panel", "data-testid": "files-panel" });
  private tools = h("div", { class: "files-tools" });
  private pathEl = h("div", { class: "files-path", "data-testid": "files-path" });
  private listEl = h("ul", { class: "files-list", "data-testid": "files-list" });
  private uploadsEl = h("div", { class: "files-uploads", "data-testid": "files-uploads" });
  private messageEl = h("div", { class: "panel-note", "data-testid": "files-message" });
  private picker = h("input", {
    type: "file",
    multiple: true,
    hidden: true,
    "data-testid": "files-input",
  });
  private dir = ROOT;
  private selected: string | null = null;
  private loading = 0;
  private cleanups: (() => void)[] = [];

  constructor(private ctx: NotebookContext) {
    this.tools.append(
      iconButton(ICONS.upload, "Upload to session storage", "files-upload", () =>
        this.picker.click(),
      ),
      iconButton(ICONS.newFolder, "New folder", "files-new-folder", () => void this.newFolder()),
      iconButton(ICONS.refresh, "Refresh", "files-refresh", () => void this.refresh()),
      iconButton(ICONS.up, "Parent folder", "files-up", () => void this.open(parentOf(this.dir))),
    );
    this.picker.addEventListener("change", () => {
      const files = [...(this.picker.files ?? [])];
      this.picker.value = "";
      void this.upload(files);
    });
    this.el.append(this.tools, this.pathEl, this.uploadsEl, this.messageEl, this.listEl);
    this.el.append(this.picker);
    this.el.addEventListener("dragover", (e) => {
      if (!this.ctx.session() || !e.dataTransfer?.types.includes("Files")) return;
      e.preventDefault();
      this.el.classList.add("drop-target");
    });
    this.el.addEventListener("dragleave", () => this.el.classList.remove("drop-target"));
    this.el.addEventListener("drop", (e) => {
      this.el.classList.remove("drop-target");
      if (!this.ctx.session() || !e.dataTransfer?.files.length) return;
      e.preventDefault();
      void this.upload([...e.dataTransfer.files]);
    });
    this.cleanups.push(ctx.onSession((s) => this.sessionChanged(s)));
    // As in Colab, the listing follows what code does to /content.
    this.cleanups.push(
      ctx.onRunDone(() => {
        if (this.el.isConnected && this.el.offsetParent !== null) void this.refresh();
      }),
    );
    this.panel = {
      id: "files",
      title: "Files",
      icon: ICONS.folder,
      el: this.el,
      onShow: () => void this.refresh(),
    };
    this.sessionChanged(ctx.session());
  }

  dispose(): void {
    for (const fn of this.cleanups) fn();
  }

  private base(s: SessionOut, rest = ""): string {
    return `/api/runtimes/${encodeURIComponent(s.runtime_id)}/files${rest}`;
  }

  private sessionChanged(s: SessionOut | null): void {
    this.tools.querySelectorAll("button").forEach((b) => (b.disabled = !s));
    if (!s) {
      this.dir = ROOT;
      this.listEl.replaceChildren();
      this.pathEl.textContent = "";
      const connect = h("button", { "data-testid": "files-connect" }, "Connect");
      connect.addEventListener("click", () => {
        connect.disabled = true;
        connect.textContent = "Connecting…";
        void this.ctx.connect().catch(() => this.sessionChanged(null));
      });
      this.messageEl.replaceChildren(
        h("p", {}, "Connect to a runtime to browse its files (/content)."),
        connect,
      );
      this.messageEl.hidden = false;
      return;
    }
    this.messageEl.hidden = true;
    if (this.el.isConnected) void this.refresh();
  }

  /** Opens the panel's view at `path`: a folder, or a file (shown selected in its folder). */
  async view(path: string): Promise<void> {
    const full = path.startsWith("/") ? path : `${ROOT}/${path}`.replace(/\/+$/, "");
    const s = this.ctx.session();
    if (!s) return this.sessionChanged(null);
    try {
      await api<DirectoryOut>("GET", this.base(s, `?path=${encodeURIComponent(full)}`));
      this.selected = null;
      await this.open(full);
    } catch (e) {
      if (e instanceof ApiError && e.code === "not_a_directory") {
        this.selected = full;
        await this.open(parentOf(full));
      } else {
        this.error(e);
      }
    }
  }

  async open(dir: string): Promise<void> {
    this.dir = dir;
    await this.refresh();
  }

  async refresh(): Promise<void> {
    const s = this.ctx.session();
    if (!s) return this.sessionChanged(null);
    const ticket = ++this.loading;
    try {
      const query = `?path=${encodeURIComponent(this.dir)}`;
      const listing = await api<DirectoryOut>("GET", this.base(s, query));
      if (ticket !== this.loading) return;
      this.dir = listing.path;
      this.render(s, listing);
    } catch (e) {
      if (ticket !== this.loading) return;
      if (e instanceof ApiError && e.code === "no_such_file" && this.dir !== ROOT) {
        this.dir = ROOT; // the folder went away: back to the top
        return this.refresh();
      }
      this.error(e);
    }
  }

  private error(e: unknown): void {
    this.messageEl.replaceChildren(
      h("p", { class: "error", role: "alert" }, e instanceof Error ? e.message : String(e)),
    );
    this.messageEl.hidden = false;
  }

  private render(s: SessionOut, listing: DirectoryOut): void {
    this.messageEl.hidden = true;
    this.pathEl.textContent = listing.path;
    (this.tools.querySelector('[data-testid="files-up"]') as HTMLButtonElement).disabled =
      listing.path === ROOT;
    // Rows whose entry did not change are kept: a refresh (after every run) must not take
    // away the row under the pointer, its hover actions or its keyboard focus.
    const kept = new Map<string, HTMLElement>();
    for (const el of this.listEl.children) {
      const key = (el as HTMLElement).dataset.key;
      if (key) kept.set(key, el as HTMLElement);
    }
    const rows = listing.entries.map((e) => {
      const key = JSON.stringify([s.runtime_id, e.path, e.type, e.size, e.modified]);
      const row = kept.get(key) ?? this.row(s, e);
      row.dataset.key = key;
      row.classList.toggle("selected", this.selected === e.path);
      return row;
    });
    const same =
      rows.length === this.listEl.children.length &&
      rows.every((row, i) => this.listEl.children[i] === row);
    if (!same) this.listEl.replaceChildren(...rows);
    if (!listing.entries.length) {
      this.listEl.append(h("li", { class: "panel-note" }, "This folder is empty."));
    }
  }

  private row(s: SessionOut, entry: FileOut): HTMLElement {
    const isDir = entry.type === "directory";
    const name = h("span", { class: "file-name" }, entry.name);
    const icon = h("span", { class: "file-icon" });
    icon.innerHTML = isDir ? ICONS.folder : ICONS.file;
    const actions = h("span", { class: "file-actions" });
    if (!isDir) {
      actions.append(
        iconButton(ICONS.download, `Download ${entry.name}`, "file-download", () =>
          this.download(s, entry),
        ),
      );
    }
    actions.append(
      iconButton(ICONS.edit, `Rename ${entry.name}`, "file-rename", () =>
        this.rename(s, entry, li, name),
      ),
      iconButton(ICONS.trash, `Delete ${entry.name}`, "file-delete", () =>
        void this.remove(s, entry),
      ),
    );
    const li = h(
      "li",
      {
        class: `file-row file-${entry.type}`,
        "data-testid": "file-entry",
        "data-name": entry.name,
        "data-path": entry.path,
        title: entry.size === null ? entry.path : `${entry.path} (${entry.size} bytes)`,
      },
      icon,
      name,
      actions,
    );
    if (this.selected === entry.path) li.classList.add("selected");
    if (isDir) li.addEventListener("click", () => void this.open(entry.path));
    else li.addEventListener("click", () => this.select(li, entry.path));
    return li;
  }

  private select(li: HTMLElement, path: string): void {
    this.selected = path;
    this.listEl.querySelectorAll(".selected").forEach((x) => x.classList.remove("selected"));
    li.classList.add("selected");
  }

  private download(s: SessionOut, entry: FileOut): void {
    // A plain link: the browser streams the file to disk with the session cookie.
    const href = this.base(s, `/download?path=${encodeURIComponent(entry.path)}`);
    const a = h("a", { href, download: entry.name });
    document.body.append(a);
    a.click();
    a.remove();
  }

  private rename(s: SessionOut, entry: FileOut, li: HTMLElement, nameEl: HTMLElement): void {
    const input = h("input", {
      class: "file-rename",
      value: entry.name,
      "aria-label": "New name",
      "data-testid": "file-rename-input",
    });
    nameEl.replaceWith(input);
    li.classList.add("renaming");
    input.focus();
    const dot = entry.name.lastIndexOf(".");
    input.setSelectionRange(0, dot > 0 ? dot : entry.name.length); // the name, not the extension
    let done = false;
    const finish = async (commit: boolean) => {
      if (done) return;
      done = true;
      delete li.dataset.key; // the next refresh draws this row anew (no input left behind)
      const next = input.value.trim();
      if (!commit || !next || next === entry.name) return void this.refresh();
      if (next.includes("/")) {
        this.error(new Error("A name cannot contain '/'."));
        return void this.refresh();
      }
      const target = `${parentOf(entry.path)}/${next}`;
      try {
        const query = `?path=${encodeURIComponent(entry.path)}`;
        await api("PATCH", this.base(s, query), { new_path: target });
        if (this.selected === entry.path) this.selected = target;
        await this.refresh();
      } catch (e) {
        await this.refresh();
        this.error(e);
      }
    };
    input.addEventListener("click", (e) => e.stopPropagation());
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") void finish(true);
      else if (e.key === "Escape") void finish(false);
    });
    input.addEventListener("blur", () => void finish(true));
  }

  private async remove(s: SessionOut, entry: FileOut): Promise<void> {
    const what = entry.type === "directory" ? "folder and everything in it" : "file";
    if (!window.confirm(`Delete the ${what} ${entry.path}? This cannot be undone.`)) return;
    try {
      await api("DELETE", this.base(s, `?path=${encodeURIComponent(entry.path)}`));
      await this.refresh();
    } catch (e) {
      this.error(e);
    }
  }

  private async newFolder(): Promise<void> {
    const s = this.ctx.session();
    if (!s) return;
    const rows = [...this.listEl.querySelectorAll<HTMLElement>("[data-name]")];
    const taken = new Set(rows.map((x) => x.dataset["name"]));
    let name = "untitled folder";
    for (let i = 1; taken.has(name); i++) name = `untitled folder ${i}`;
    try {
      await api("POST", this.base(s, "/directories"), { path: `${this.dir}/${name}` });
      await this.refresh();
      const li = this.listEl.querySelector<HTMLElement>(`[data-name="${CSS.escape(name)}"]`);
      li?.querySelector<HTMLButtonElement>('[data-testid="file-rename"]')?.click();
    } catch (e) {
      this.error(e);
    }
  }

  private async upload(files: File[]): Promise<void> {
    const s = this.ctx.session();
    if (!s || !files.length) return;
    const dir = this.dir;
    await Promise.all(
      files.map(async (file) => {
        const bar = h("progress", { max: "1", value: "0" });
        const status = h("span", { class: "upload-status" }, "0%");
        const row = h(
          "div",
          { class: "upload-row", "data-testid": "upload-row", "data-name": file.name },
          h("span", { class: "file-name" }, file.name),
          bar,
          status,
        );
        this.uploadsEl.append(row);
        try {
          await uploadFile(s.runtime_id, `${dir}/${file.name}`, file, (share) => {
            bar.value = share;
            status.textContent = `${Math.round(share * 100)}%`;
          });
          row.dataset["state"] = "done";
          window.setTimeout(() => row.remove(), 3000);
        } catch (e) {
          row.dataset["state"] = "failed";
          status.textContent = e instanceof Error ? e.message : "Upload failed.";
          status.classList.add("error");
          window.setTimeout(() => row.remove(), 10_000);
        }
      }),
    );
    if (this.dir === dir) await this.refresh();
  }
}

/** The panel, and the `cloudbook:files-view` listener that opens it at a path. */
export function filesPanel(
  ctx: NotebookContext,
  showPanel: () => void,
): { panel: Panel; dispose(): void } {
  const files = new FilesPanel(ctx);
  const onView = (event: Event) => {
    const path = (event as CustomEvent<{ path?: unknown }>).detail?.path;
    showPanel();
    void files.view(typeof path === "string" && path ? path : ROOT);
  };
  window.addEventListener("cloudbook:files-view", onView);
  return {
    panel: files.panel,
    dispose() {
      window.removeEventListener("cloudbook:files-view", onView);
      files.dispose();
    },
  };
}
