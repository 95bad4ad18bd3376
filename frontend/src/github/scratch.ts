// The scratch copy's page parts: the notice under the toolbar, #scrollTo, and
// "Save a copy in Drive".
import { api, ApiError } from "../api";
import type { NotebookOut, OpenedOut } from "../api-types";
import { saveNotebook } from "../model";
import { h } from "../views/dom";
import type { NotebookPage } from "../views/notebook";
import { hostName } from "./links";

export interface ScratchSource {
  /** 28 hex digits: the key of this copy's runtime (`/api/scratch/{id}/session`). */
  id: string;
  opened: OpenedOut;
}

/** The scratch id for this link in this tab: a reload (or coming back) finds the same
 * runtime, as a drive notebook does; another tab gets its own copy. */
export function scratchIdFor(path: string): string {
  const key = `cloudbook.scratch:${path}`;
  const kept = sessionStorage.getItem(key);
  if (kept && /^[0-9a-f]{28}$/.test(kept)) return kept;
  const id = crypto.randomUUID().replace(/-/g, "").slice(0, 28);
  sessionStorage.setItem(key, id);
  return id;
}

/** Goes to a path inside the app (main.ts's router listens to popstate). */
export function goTo(path: string): void {
  history.pushState(null, "", path);
  window.dispatchEvent(new PopStateEvent("popstate"));
}

/** Creates the drive copy (`name (1).ipynb` on a clash) and opens it. */
export async function saveCopyInDrive(page: NotebookPage, name: string): Promise<void> {
  const content = page.widgets.annotate(saveNotebook(page.nb), page.nb.cells);
  const stem = name.replace(/\.ipynb$/, "");
  for (let n = 0; n < 100; n++) {
    const candidate = n ? `${stem} (${n}).ipynb` : `${stem}.ipynb`;
    try {
      const nb = await api<NotebookOut>("POST", "/api/notebooks", { name: candidate, content });
      goTo(`/notebooks/${encodeURIComponent(nb.id)}`);
      return;
    } catch (e) {
      if (!(e instanceof ApiError && e.code === "name_taken")) throw e;
    }
  }
}

/** Marks the page as a copy, and scrolls to `#scrollTo=` as Colab's links do. */
export function decorateScratch(page: NotebookPage, source: ScratchSource): void {
  const save = h("button", { type: "button", "data-testid": "scratch-save-drive" },
    "Save a copy in Drive");
  const error = h("span", { class: "error" });
  save.addEventListener("click", () => {
    save.disabled = true;
    saveCopyInDrive(page, source.opened.name).catch((e: unknown) => {
      error.textContent = e instanceof Error ? e.message : "Could not save.";
      save.disabled = false;
    });
  });
  const origin = h("a", { href: source.opened.source }, source.opened.source);
  const notice = h(
    "div",
    { class: "scratch-notice", role: "status", "data-testid": "scratch-notice" },
    h("span", {}, `This notebook is a copy from ${hostName()}; changes are not saved — `),
    save,
    h("span", { class: "muted" }, " Opened from "),
    origin,
    error,
  );
  page.el.querySelector(".nb-main")?.prepend(notice);
  const target = source.opened.scroll_to;
  if (target) {
    const cell = page.nb.cells.find((c) => c.id === target || c.metadata["id"] === target);
    if (cell) {
      page.cursor.setCurrent(cell);
      const view = page.cells.find(cell);
      page.cells.reveal(cell, "start");
      view?.root.classList.add("scrolled-to");
    }
  }
}
