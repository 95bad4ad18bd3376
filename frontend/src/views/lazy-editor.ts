// A cell's editor, created only when it is needed: a notebook of hundreds of cells opens
// with a light, highlighted copy of each cell's code, and the CodeMirror editor replaces
// it when the cell comes near the viewport, is clicked or focused, when some code asks
// for it (`ensure()`, the single entry point), or in idle time after the page settled.
import "./lazy-editor.css";

import { markdownLanguage } from "@codemirror/lang-markdown";
import type { EditorView } from "@codemirror/view";
import { classHighlighter, highlightCode } from "@lezer/highlight";

import { colabPythonLanguage } from "../editor/embedded";
import { h } from "./dom";

/** Builds the static view of `code`: line numbers and highlighted lines, laid out
 * like the editor's so nothing moves when the editor takes its place. */
export function staticCode(code: string, language: "python" | "markdown"): HTMLElement {
  const parser = language === "python" ? colabPythonLanguage.parser : markdownLanguage.parser;
  const content = h("div", { class: "cm-static-content" });
  let line = h("div", { class: "cm-line" });
  let count = 1;
  highlightCode(
    code,
    parser.parse(code),
    classHighlighter,
    (text, classes) => {
      line.append(classes ? h("span", { class: classes }, text) : text);
    },
    () => {
      content.append(line);
      line = h("div", { class: "cm-line" });
      count++;
    },
  );
  content.append(line);
  for (const l of content.children) if (!l.firstChild) l.append(h("br"));
  const numbers = Array.from({ length: count }, (_, i) => i + 1).join("\n");
  const gutter = h("div", { class: "cm-static-gutter", "aria-hidden": "true" }, numbers);
  return h("div", { class: "cm-static", tabindex: "0", "data-testid": "static-code" }, gutter, content);
}

// Cells near the viewport get their editor; the margin covers a fast scroll or two.
// Creating one takes a few ms, so a scroll past many cells spreads them over frames.
const NEAR = "600px 0px";
const FRAME_BUDGET_MS = 8;
const waiting = new Map<Element, LazyEditor>();
const near = new Set<LazyEditor>();
let observer: IntersectionObserver | null = null;
let frameQueued = false;
let idleQueued = false;

function createNear(): void {
  frameQueued = false;
  const start = performance.now();
  for (const editor of near) {
    if (performance.now() - start > FRAME_BUDGET_MS) break;
    editor.ensure();
  }
  if (near.size) queueFrame();
}

function queueFrame(): void {
  if (frameQueued) return;
  frameQueued = true;
  requestAnimationFrame(createNear);
}

type Idle = (fn: (deadline: IdleDeadline) => void, opts?: { timeout: number }) => void;
const idle: Idle =
  window.requestIdleCallback?.bind(window) ??
  ((fn) => setTimeout(() => fn({ timeRemaining: () => 8, didTimeout: false }), 50));

// After the page settled: the rest, a few at a time, while the browser is idle.
function createIdle(deadline: IdleDeadline): void {
  for (const editor of waiting.values()) {
    if (deadline.timeRemaining() < 4) break;
    editor.ensure();
  }
  if (waiting.size) idle(createIdle, { timeout: 2000 });
  else idleQueued = false;
}

function watch(host: Element, editor: LazyEditor): void {
  observer ??= new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        const lazy = waiting.get(e.target);
        if (!lazy) continue;
        if (e.isIntersecting) near.add(lazy);
        else near.delete(lazy);
      }
      if (near.size) queueFrame();
    },
    { rootMargin: NEAR },
  );
  waiting.set(host, editor);
  observer.observe(host);
  if (!idleQueued) {
    idleQueued = true;
    setTimeout(() => idle(createIdle, { timeout: 2000 }), 1000);
  }
}

export class LazyEditor {
  private view: EditorView | null = null;
  private placeholder: HTMLElement | null = null;
  private destroyed = false;

  constructor(
    private host: HTMLElement,
    private language: "python" | "markdown",
    private source: () => string,
    private make: (parent: HTMLElement) => EditorView,
  ) {
    this.placeholder = staticCode(source(), language);
    this.placeholder.addEventListener("mousedown", (event) => {
      event.preventDefault();
      const editor = this.ensure();
      const pos = editor.posAtCoords({ x: event.clientX, y: event.clientY });
      editor.focus();
      if (pos !== null) editor.dispatch({ selection: { anchor: pos } });
    });
    this.placeholder.addEventListener("focus", () => this.ensure().focus());
    host.append(this.placeholder);
    watch(host, this);
  }

  get created(): boolean {
    return this.view !== null;
  }

  /** The editor, created now if it does not exist yet. */
  ensure(): EditorView {
    if (this.view) return this.view;
    if (this.destroyed) throw new Error("editor destroyed");
    this.unwatch();
    this.placeholder?.remove();
    this.placeholder = null;
    this.view = this.make(this.host);
    return this.view;
  }

  /** The source changed while there is no editor yet: redraw the static copy. */
  refresh(): void {
    if (!this.placeholder) return;
    const next = staticCode(this.source(), this.language);
    this.placeholder.replaceChildren(...next.childNodes);
  }

  destroy(): void {
    this.destroyed = true;
    this.unwatch();
    this.view?.destroy();
  }

  private unwatch(): void {
    waiting.delete(this.host);
    near.delete(this);
    observer?.unobserve(this.host);
  }
}
