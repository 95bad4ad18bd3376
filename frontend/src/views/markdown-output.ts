// text/markdown outputs (IPython.display.Markdown): rendered with the text cells' renderer
// (marked + KaTeX, then DOMPurify), so nothing in them runs: no scripts, no event
// handlers, no javascript: links. Links open in a new tab instead of leaving the notebook.
import "./markdown-output.css";

import { renderMarkdown } from "../markdown";
import type { Output } from "../model";
import { joinText, preferredMime } from "../output-mimes";
import { h } from "./dom";

function linksOpenElsewhere(root: ParentNode): void {
  for (const a of Array.from(root.querySelectorAll("a[href]"))) {
    a.setAttribute("target", "_blank");
    a.setAttribute("rel", "noopener noreferrer");
  }
}

/** The page's rendering of a markdown output. */
export function markdownOutput(source: unknown): HTMLElement {
  const el = h("div", { class: "output-markdown", "data-testid": "output-markdown" });
  el.innerHTML = renderMarkdown(joinText(source));
  linksOpenElsewhere(el);
  return el;
}

/** Whether the output shows as markdown (its richest type is text/markdown). */
export function isMarkdownOutput(out: Output): boolean {
  const data = out["data"] as Record<string, unknown> | undefined;
  return preferredMime(data) === "text/markdown";
}

// The frame gets the same sanitised HTML (math as MathML: KaTeX's CSS is not loaded
// there), so a markdown output after an HTML one looks and behaves the same.
const frameCopies = new WeakMap<object, Output>();

/** What the output frame is sent for `out`: markdown becomes its sanitised HTML. */
export function frameCopy(out: Output): Output {
  if (!isMarkdownOutput(out)) return out;
  const data = out["data"] as Record<string, unknown>;
  const seen = frameCopies.get(data);
  if (seen) return seen;
  const template = document.createElement("template");
  template.innerHTML = renderMarkdown(joinText(data["text/markdown"]), false, "mathml");
  linksOpenElsewhere(template.content);
  const html = `<div class="output-markdown">${template.innerHTML}</div>`;
  const copy: Output = { ...out, data: { "text/html": html, "text/plain": data["text/plain"] } };
  frameCopies.set(data, copy);
  return copy;
}
