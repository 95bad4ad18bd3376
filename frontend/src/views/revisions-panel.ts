// Revision history (Colab's File → Revision history): the saved revisions, newest
// first, with time and author; one opens read-only over the notebook, and can be
// restored (after a confirm): the restore is itself a new revision, and the page
// reopens the notebook at it. "Compare with" diffs the open revision against any other
// one (the newest by default), the older of the two always on the left.
import "./revisions-panel.css";

import { api } from "../api";
import type { RevisionList, RevisionOut, RevisionWithContent } from "../api-types";
import { renderMarkdown } from "../markdown";
import { loadNotebook } from "../model";
import { h } from "./dom";
import { ICONS } from "./icons";
import { renderOutputs } from "./outputs";
import { diffNotebooks, renderDiff } from "./revision-diff";
import type { NotebookContext } from "./page-context";
import type { Panel } from "./sidebar";

const REFRESH_AFTER_EDIT_MS = 3000;

function when(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

function renderCells(content: Record<string, unknown>): HTMLElement[] {
  return loadNotebook(content).cells.map((cell) => {
    const body = h("div", { class: "rev-cell-body" });
    if (cell.cell_type === "markdown") {
      body.classList.add("markdown-body");
      body.innerHTML = renderMarkdown(cell.source);
    } else {
      body.append(h("pre", { class: "rev-code" }, cell.source));
      if (cell.outputs.length) {
        const outputs = h("div", { class: "outputs" });
        renderOutputs(outputs, cell.outputs);
        body.append(outputs);
      }
    }
    return h(
      "div",
      { class: `rev-cell rev-cell-${cell.cell_type}`, "data-testid": "revision-cell" },
      body,
    );
  });
}

export class RevisionsPanel {
  readonly panel: Panel;
  private listEl = h("ul", { class: "revisions", "data-testid": "revisions" });
  private noteEl = h("p", { class: "panel-note", hidden: true });
  private el: HTMLElement;
  private overlay: HTMLElement | null = null;
  private closePreview: () => void = () => {};
  private timer: number | undefined;
  private stopEdits: () => void;
  private revisions: RevisionOut[] = [];

  constructor(private ctx: NotebookContext) {
    const refresh = h("button", {
      class: "icon-button",
      title: "Refresh",
      "aria-label": "Refresh revisions",
      "data-testid": "revisions-refresh",
    });
    refresh.innerHTML = ICONS.refresh;
    refresh.addEventListener("click", () => void this.refresh());
    this.el = h(
      "div",
      { class: "revisions-panel" },
      h("div", { class: "files-tools" }, refresh),
      this.noteEl,
      this.listEl,
    );
    this.panel = {
      id: "revisions",
      title: "Revision history",
      icon: ICONS.history,
      el: this.el,
      onShow: () => void this.refresh(),
    };
    // Saves follow edits: look again once the autosave has had time to land.
    this.stopEdits = ctx.onEdit(() => {
      window.clearTimeout(this.timer);
      this.timer = window.setTimeout(() => {
        if (this.el.isConnected && this.el.offsetParent !== null) void this.refresh();
      }, REFRESH_AFTER_EDIT_MS);
    });
  }

  dispose(): void {
    this.stopEdits();
    window.clearTimeout(this.timer);
    this.closePreview();
  }

  private path(rest = ""): string {
    return `/api/notebooks/${encodeURIComponent(this.ctx.notebookId)}/revisions${rest}`;
  }

  async refresh(): Promise<void> {
    try {
      const { revisions } = await api<RevisionList>("GET", this.path());
      this.revisions = revisions;
      this.noteEl.hidden = true;
      this.listEl.replaceChildren(...revisions.map((r, i) => this.row(r, i === 0)));
    } catch (e) {
      this.noteEl.textContent = e instanceof Error ? e.message : "Could not load the revisions.";
      this.noteEl.hidden = false;
    }
  }

  private row(r: RevisionOut, current: boolean): HTMLElement {
    const li = h(
      "li",
      { class: "revision", "data-testid": "revision", "data-revision": String(r.revision) },
      h("div", { class: "rev-time" }, when(r.created_at)),
      h(
        "div",
        { class: "rev-meta" },
        `${r.author ?? "unknown"} · revision ${r.revision}${current ? " (current)" : ""}` +
          (r.pinned ? " · pinned" : ""),
      ),
    );
    li.addEventListener("click", () =>
      this.preview(r.revision).catch((e: unknown) => {
        this.noteEl.textContent = e instanceof Error ? e.message : "Could not open it.";
        this.noteEl.hidden = false;
      }),
    );
    return li;
  }

  async preview(revision: number): Promise<void> {
    const data = await api<RevisionWithContent>("GET", this.path(`/${revision}`));
    this.closePreview();
    const close = h("button", { "data-testid": "revision-close" }, "Close");
    const restore = h(
      "button",
      { class: "primary", "data-testid": "revision-restore" },
      "Restore this revision",
    );
    const error = h("span", { class: "error", role: "alert" });
    const other = this.compareChoices(data.revision);
    const compare = h("button", { "data-testid": "revision-compare" }, "Compare");
    const body = h("div", { class: "revision-cells" }, ...renderCells(data.content));
    const overlay = h(
      "div",
      { class: "revision-preview", "data-testid": "revision-preview", role: "dialog" },
      h(
        "header",
        {},
        h("strong", {}, `Revision ${data.revision}`),
        h("span", { class: "muted" }, ` · ${when(data.created_at)} · read-only`),
        h("span", { class: "spacer" }),
        error,
        h("label", { class: "muted" }, "Compare with ", other),
        compare,
        restore,
        close,
      ),
      body,
    );
    compare.addEventListener("click", () => void this.compare(data, other.value, body, error));
    // On the window, in the capture phase: the notebook's own key handler sits there too.
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") closePreview();
    };
    const closePreview = () => {
      overlay.remove();
      window.removeEventListener("keydown", onKey, true);
      if (this.overlay === overlay) this.overlay = null;
    };
    window.addEventListener("keydown", onKey, true);
    close.addEventListener("click", closePreview);
    this.closePreview = closePreview;
    restore.addEventListener("click", () => void this.restore(data.revision, restore, error));
    document.body.append(overlay);
    this.overlay = overlay;
  }

  /** The other revisions to compare with: the newest ("current") first, as listed. */
  private compareChoices(revision: number): HTMLSelectElement {
    const select = h("select", { "data-testid": "revision-compare-with" });
    select.append(h("option", { value: "current" }, "the current version"));
    for (const r of this.revisions) {
      if (r.revision === revision) continue;
      select.append(
        h("option", { value: String(r.revision) }, `revision ${r.revision} · ${when(r.created_at)}`),
      );
    }
    return select;
  }

  /** This revision against another (`choice`: a revision number, or "current" for the
   *  newest, saved first): the cells that differ, with a line diff, older → newer. */
  private async compare(
    data: RevisionWithContent,
    choice: string,
    body: HTMLElement,
    error: HTMLElement,
  ) {
    try {
      let other: number;
      if (choice === "current") {
        await this.ctx.flush();
        const { revisions } = await api<RevisionList>("GET", this.path());
        other = revisions[0]?.revision ?? data.revision;
      } else other = Number(choice);
      const them = await api<RevisionWithContent>("GET", this.path(`/${other}`));
      const [older, newer] = other < data.revision ? [them, data] : [data, them];
      body.replaceChildren(
        h(
          "p",
          { class: "muted", "data-testid": "revision-diff-title" },
          `Revision ${older.revision} → revision ${newer.revision}`,
        ),
        renderDiff(diffNotebooks(older.content, newer.content)),
      );
    } catch (e) {
      error.textContent = e instanceof Error ? e.message : "Could not compare.";
    }
  }

  private async restore(revision: number, button: HTMLButtonElement, error: HTMLElement) {
    const ok = window.confirm(
      `Restore revision ${revision}? The notebook is replaced by that version; ` +
        "the current one stays in the history.",
    );
    if (!ok) return;
    button.disabled = true;
    try {
      await this.ctx.flush(); // pending edits become a revision of their own first
      const { revisions } = await api<RevisionList>("GET", this.path());
      const base = revisions[0]?.revision ?? 0;
      await api("POST", this.path(`/${revision}/restore`), { base_revision: base });
      this.closePreview();
      this.ctx.reload();
    } catch (e) {
      button.disabled = false;
      error.textContent = e instanceof Error ? e.message : "Could not restore.";
    }
  }
}
