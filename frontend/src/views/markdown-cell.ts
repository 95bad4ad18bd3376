// Text cells: rendered markdown (sanitized, with math) until double-clicked for editing.
import "./markdown-cell.css";

import { renderMarkdown } from "../markdown";
import { h } from "./dom";

export class MarkdownPreview {
  readonly el = h("div", { class: "md-preview", "data-testid": "markdown" });

  constructor(
    private root: HTMLElement,
    onEdit: () => void,
  ) {
    this.el.addEventListener("dblclick", () => {
      this.root.classList.remove("md-rendered");
      onEdit();
    });
  }

  /** Show the rendered text (leaving edit mode). */
  render(source: string): void {
    this.el.innerHTML = source.trim()
      ? renderMarkdown(source)
      : '<p class="md-empty">Double-click (or Enter) to edit</p>';
    this.root.classList.add("md-rendered");
  }
}
