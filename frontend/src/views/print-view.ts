// Printing (File > Print, or the browser's Ctrl+P): every cell's full source as static,
// highlighted text (an editor draws only the lines near the screen), text cells rendered,
// outputs as they are; the page's controls are hidden by the print CSS.
import "./print-view.css";

import { defaultHighlightStyle } from "@codemirror/language";
import { highlightCode } from "@lezer/highlight";

import { colabPythonLanguage } from "../editor/embedded";
import { renderMarkdown } from "../markdown";
import type { Cell } from "../model";
import { h } from "./dom";

export interface PrintItem {
  cell: Cell;
  root: HTMLElement;
}

function highlighted(source: string): HTMLElement {
  const pre = h("pre", { class: "print-only print-source" });
  const tree = colabPythonLanguage.parser.parse(source);
  highlightCode(
    source,
    tree,
    defaultHighlightStyle,
    (text, classes) => pre.append(classes ? h("span", { class: classes }, text) : text),
    () => pre.append("\n"),
  );
  return pre;
}

export class PrintView {
  private added: HTMLElement[] = [];
  private readonly before = () => this.prepare();
  private readonly after = () => this.cleanup();

  constructor(private items: () => PrintItem[]) {}

  attach(): void {
    window.addEventListener("beforeprint", this.before);
    window.addEventListener("afterprint", this.after);
  }

  detach(): void {
    window.removeEventListener("beforeprint", this.before);
    window.removeEventListener("afterprint", this.after);
    this.cleanup();
  }

  /** Builds the static sources, then opens the browser's print dialog. */
  print(): void {
    this.prepare();
    window.print();
  }

  prepare(): void {
    this.cleanup();
    document.body.classList.add("printing");
    for (const { cell, root } of this.items()) {
      const host = root.querySelector(".editor");
      if (!host) continue;
      const el =
        cell.cell_type === "markdown"
          ? h("div", { class: "print-only print-markdown" })
          : cell.cell_type === "code"
            ? highlighted(cell.source)
            : h("pre", { class: "print-only print-source" }, cell.source);
      if (cell.cell_type === "markdown") el.innerHTML = renderMarkdown(cell.source);
      host.after(el);
      this.added.push(el);
    }
  }

  private cleanup(): void {
    for (const el of this.added.splice(0)) el.remove();
    document.body.classList.remove("printing");
  }
}
