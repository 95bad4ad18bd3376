// Table of contents: the headings of text cells (all levels, nested) and, as Colab
// lists them, the #@title of code cells; click to scroll to the cell. Rebuilt (at
// most a few times a second) as the notebook changes, and only while it is shown.
import "./toc.css";

import { marked, type Tokens } from "marked";

import { parseCell } from "../forms";
import { renderMarkdown } from "../markdown";
import type { Cell } from "../model";
import { h } from "./dom";
import { ICONS } from "./icons";
import type { NotebookContext } from "./page-context";
import type { Panel } from "./sidebar";

export interface TocEntry {
  cellId: string;
  level: number; // 1-6 for headings; a title sits one level below the heading before it
  text: string; // markdown (inline) of the heading
  kind: "heading" | "title";
}

export function headingsOf(cells: readonly Cell[]): TocEntry[] {
  const out: TocEntry[] = [];
  let level = 0;
  for (const cell of cells) {
    if (cell.cell_type === "markdown") {
      for (const token of marked.lexer(cell.source)) {
        if (token.type !== "heading") continue;
        const heading = token as Tokens.Heading;
        level = heading.depth;
        out.push({ cellId: cell.id, level, text: heading.text, kind: "heading" });
      }
    } else if (cell.cell_type === "code" && /^\s*#\s*@title/m.test(cell.source)) {
      const title = parseCell(cell.source).title;
      if (title?.trim()) {
        const text = title.replace(/^#+\s*/, "");
        out.push({ cellId: cell.id, level: Math.min(level + 1, 7), text, kind: "title" });
      }
    }
  }
  return out;
}

const REBUILD_MS = 250;

export function tocPanel(ctx: NotebookContext): Panel & { dispose(): void } {
  const list = h("ul", { class: "toc", "data-testid": "toc" });
  const empty = h(
    "p",
    { class: "panel-note", "data-testid": "toc-empty" },
    "Add headings to text cells (# Title) to list them here.",
  );
  const el = h("div", { class: "toc-panel" }, list, empty);
  let timer: number | undefined;
  let stale = true;
  const visible = () => el.isConnected && el.offsetParent !== null;

  const build = () => {
    stale = false;
    const entries = headingsOf(ctx.cells());
    const min = Math.min(...entries.map((e) => e.level));
    list.replaceChildren(
      ...entries.map((e) => {
        const link = h("a", {
          href: "#",
          class: `toc-entry toc-${e.kind}`,
          "data-testid": "toc-entry",
          "data-cell-id": e.cellId,
          style: `padding-left: ${12 + 16 * (e.level - min)}px`,
        });
        link.innerHTML = renderMarkdown(e.text, true);
        link.addEventListener("click", (event) => {
          event.preventDefault();
          ctx.revealCell(e.cellId);
        });
        return h("li", { "data-level": String(e.level) }, link);
      }),
    );
    empty.hidden = entries.length > 0;
    markActive();
  };

  // The entry of the section being read: the last heading scrolled up to the toolbar
  // (the first one before that); at the end of the page, the last one in view.
  let frame = 0;
  const markActive = () => {
    frame = 0;
    if (!visible()) return;
    const links = [...list.querySelectorAll<HTMLElement>(".toc-entry")];
    const seen = new Map<string, number>(); // headings met so far per cell
    const tops = links.map((link) => {
      const id = link.dataset["cellId"] ?? "";
      const k = seen.get(id) ?? 0;
      seen.set(id, k + 1);
      const cell = document.querySelector(`.cell[data-cell-id="${CSS.escape(id)}"]`);
      // The k-th rendered heading of a text cell; the cell itself otherwise.
      const heading = cell?.querySelectorAll(".md-preview :is(h1, h2, h3, h4, h5, h6)")[k];
      return (heading ?? cell)?.getBoundingClientRect().top ?? Infinity;
    });
    const line = (document.querySelector(".toolbar")?.getBoundingClientRect().bottom ?? 0) + 32;
    const scroller = document.scrollingElement ?? document.documentElement;
    const atEnd = scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 2;
    const limit = atEnd && scroller.scrollTop > 0 ? window.innerHeight : line;
    let active = links.length ? 0 : -1;
    tops.forEach((top, i) => {
      if (top <= limit) active = i;
    });
    links.forEach((link, i) => link.classList.toggle("active", i === active));
  };
  const onScroll = () => {
    if (!frame) frame = window.requestAnimationFrame(markActive);
  };
  // Capture: whichever element scrolls the notebook, its scroll events pass here.
  document.addEventListener("scroll", onScroll, { passive: true, capture: true });

  const stopEdits = ctx.onEdit(() => {
    stale = true;
    if (timer !== undefined || !visible()) return;
    timer = window.setTimeout(() => {
      timer = undefined;
      if (visible()) build();
    }, REBUILD_MS);
  });

  return {
    id: "toc",
    title: "Table of contents",
    icon: ICONS.toc,
    el,
    onShow() {
      if (stale) build();
    },
    dispose() {
      stopEdits();
      window.clearTimeout(timer);
      document.removeEventListener("scroll", onScroll, { capture: true });
      window.cancelAnimationFrame(frame);
    },
  };
}
