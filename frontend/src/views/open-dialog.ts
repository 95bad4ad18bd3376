// Colab's "Open notebook" dialog: tabs Recent, Drive, GitHub, Upload. Other parts add or
// replace tabs with `registerOpenTab` (the GitHub tab below is a plain URL field until a
// fuller one is registered under the id "github").
import "./home/home.css";

import type { NotebookOut } from "../api-types";
import { exampleLink, hostName, loadGitHost, notebookPath } from "../github/links";
import { h } from "./dom";
import { driveApi } from "./home/drive-api";
import { baseName, breadcrumbs, parentOf, recentFirst } from "./home/model";
import { pickNotebookFiles, uploadFiles } from "./home/upload";
import { Modal } from "./modal";

export interface OpenTabContext {
  /** Opens an app path (e.g. "/notebooks/<id>" or "/github/...") and closes the dialog. */
  open(path: string): void;
  close(): void;
}

export interface OpenTab {
  id: string;
  label: string;
  render(panel: HTMLElement, ctx: OpenTabContext): void | Promise<void>;
}

const tabs = new Map<string, OpenTab>();

/** Adds a tab, or replaces the one with the same id (order of first registration). */
export function registerOpenTab(tab: OpenTab): void {
  tabs.set(tab.id, tab);
}

/** "/github/owner/repo/blob/ref/path.ipynb" for a github.com (or the configured git
 * host's), Colab URL (or that path). */
export function githubPath(typed: string): string | null {
  const known = notebookPath(typed);
  if (known?.startsWith("/github/")) return known;
  const text = typed.trim();
  let path = text;
  try {
    const url = new URL(text, "https://placeholder.invalid");
    if (url.hostname === "github.com") path = `/github${url.pathname}`;
    else path = url.pathname;
    path += url.hash;
  } catch {
    return null;
  }
  return /^\/github\/[^/]+\/[^/]+\/blob\/.+\.ipynb(#.*)?$/.test(path) ? path : null;
}

function notebookLink(nb: NotebookOut, ctx: OpenTabContext, showFolder: boolean): HTMLElement {
  const href = `/notebooks/${encodeURIComponent(nb.id)}`;
  const a = h("a", { href, class: "row-link", "data-testid": "open-notebook-link" }, baseName(nb.name));
  a.addEventListener("click", (e) => {
    if (e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    ctx.open(href);
  });
  const folder = showFolder ? parentOf(nb.name) : "";
  return h("li", {}, a, folder ? h("span", { class: "muted where" }, ` in ${folder}`) : "");
}

registerOpenTab({
  id: "recent",
  label: "Recent",
  async render(panel, ctx) {
    const all = recentFirst((await driveApi.list()).notebooks, 30);
    panel.replaceChildren(
      all.length
        ? h("ul", { class: "open-list" }, ...all.map((nb) => notebookLink(nb, ctx, true)))
        : h("p", { class: "muted" }, "No notebooks yet."),
    );
  },
});

registerOpenTab({
  id: "drive",
  label: "Drive",
  async render(panel, ctx) {
    const show = async (folder: string) => {
      const listing = await driveApi.list({ folder });
      const crumbs = breadcrumbs(folder).map((c) => {
        const b = h("button", { type: "button", class: "crumb-button" }, c.label);
        b.addEventListener("click", () => void show(c.folder));
        return h("li", {}, b);
      });
      const folders = (listing.folders ?? []).map((f) => {
        const b = h("button", { type: "button", class: "folder-option", "data-testid": "open-folder" }, `📁 ${baseName(f.path)}`);
        b.addEventListener("click", () => void show(f.path));
        return h("li", {}, b);
      });
      const items = listing.notebooks.map((nb) => notebookLink(nb, ctx, false));
      panel.replaceChildren(
        h("ol", { class: "crumbs" }, ...crumbs),
        folders.length || items.length
          ? h("ul", { class: "open-list" }, ...folders, ...items)
          : h("p", { class: "muted" }, "This folder is empty."),
      );
    };
    await show("");
  },
});

registerOpenTab({
  id: "github",
  get label() {
    return hostName();
  },
  render(panel, ctx) {
    void loadGitHost();
    const input = h("input", {
      type: "url",
      placeholder: exampleLink(),
      "aria-label": `Open from a ${hostName()} URL`,
      "data-testid": "github-url",
    });
    const error = h("p", { class: "error", role: "alert" });
    const go = h("button", { type: "submit", class: "primary" }, "Open");
    const form = h("form", { class: "github-open" }, h("label", {}, `Open from a ${hostName()} URL`), input, go, error);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const path = githubPath(input.value);
      if (!path) {
        error.textContent = `Paste a link to an .ipynb file on ${hostName()} (…/blob/<branch>/<path>.ipynb).`;
        return;
      }
      ctx.open(path);
    });
    panel.replaceChildren(form);
    input.focus();
  },
});

registerOpenTab({
  id: "upload",
  label: "Upload",
  render(panel, ctx) {
    const choose = h("button", { type: "button", class: "primary", "data-testid": "open-upload" }, "Choose .ipynb file");
    choose.addEventListener("click", async () => {
      const files = await pickNotebookFiles();
      if (!files.length) return;
      const [first] = await uploadFiles(files.slice(0, 1), "");
      if (first?.notebook) ctx.open(`/notebooks/${encodeURIComponent(first.notebook.id)}`);
    });
    panel.replaceChildren(
      h("div", { class: "empty-state" }, h("p", {}, "Upload a notebook from your computer into My Drive."), choose),
    );
  },
});

export function openNotebookDialog(navigate: (path: string) => void, first = "recent"): Modal {
  const modal = new Modal("Open notebook", "drive-dialog open-dialog");
  const ctx: OpenTabContext = {
    open: (path) => {
      modal.close();
      navigate(path);
    },
    close: () => modal.close(),
  };
  const list = h("div", { class: "open-tabs", role: "tablist" });
  const panel = h("div", { class: "open-panel", role: "tabpanel", "data-testid": "open-panel" });
  const buttons: HTMLButtonElement[] = [];
  const select = (tab: OpenTab) => {
    for (const b of buttons) b.setAttribute("aria-selected", String(b.dataset["tab"] === tab.id));
    // Each selection draws into a view of its own: a tab still loading when the user
    // moved on draws into a detached one, not over the tab now shown.
    const view = h("div", { class: "open-view" }, h("p", { class: "muted" }, "Loading…"));
    panel.replaceChildren(view);
    Promise.resolve(tab.render(view, ctx)).catch((e: unknown) => {
      view.replaceChildren(h("p", { class: "error" }, e instanceof Error ? e.message : "Could not load."));
    });
  };
  for (const tab of tabs.values()) {
    const b = h("button", { type: "button", role: "tab", "data-tab": tab.id, "data-testid": `open-tab-${tab.id}` }, tab.label);
    b.addEventListener("click", () => select(tab));
    b.addEventListener("keydown", (e) => {
      const i = buttons.indexOf(b);
      const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
      if (!step) return;
      const next = buttons[(i + step + buttons.length) % buttons.length]!;
      next.focus();
      next.click();
    });
    buttons.push(b);
    list.append(b);
  }
  modal.box.append(h("h2", {}, "Open notebook"), list, panel);
  const start = tabs.get(first) ?? tabs.values().next().value;
  if (start) select(start);
  buttons.find((b) => b.dataset["tab"] === start?.id)?.focus();
  return modal;
}
