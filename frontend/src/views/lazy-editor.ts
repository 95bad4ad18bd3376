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
 * like the editor's so nothing moves when the editor takes its place. `plain`: the same
 * lines without highlighting (no parse), for `highlightInto` to colour later. */
export function staticCode(code: string, language: "python" | "markdown", plain = false): HTMLElement {
  const content = staticLines(code, language, plain);
  const count = content.children.length;
  const numbers = Array.from({ length: count }, (_, i) => i + 1).join("\n");
  const gutter = h("div", { class: "cm-static-gutter", "aria-hidden": "true" }, numbers);
  return h("div", { class: "cm-static", tabindex: "0", "data-testid": "static-code" }, gutter, content);
}

function staticLines(code: string, language: "python" | "markdown", plain: boolean): HTMLElement {
  const content = h("div", { class: "cm-static-content" });
  if (plain) {
    for (const text of code.split("\n")) content.append(h("div", { class: "cm-line" }, text || h("br")));
    return content;
  }
  const parser = language === "python" ? colabPythonLanguage.parser : markdownLanguage.parser;
  let line = h("div", { class: "cm-line" });
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
    },
  );
  content.append(line);
  for (const l of content.children) if (!l.firstChild) l.append(h("br"));
  return content;
}

/** Colours a static copy made `plain`: its lines are replaced by highlighted ones. */
export function highlightInto(el: HTMLElement, code: string, language: "python" | "markdown"): void {
  el.querySelector(".cm-static-content")?.replaceWith(staticLines(code, language, false));
}

// Parsing code to highlight it was ~40% of building a 500-cell page. The static copies
// made in one go (the opening build) are highlighted for the first few milliseconds, which
// covers the cells at the top of the page; the rest start plain and are highlighted before
// they are seen (on coming within NEAR of the viewport, as their editor is queued) or in
// idle time. Lines, line numbers and heights are the same either way.
const HIGHLIGHT_BUDGET_MS = 25;
let highlightSpent = -1;
const plainCopies = new Set<LazyEditor>();

function highlightNow(): boolean {
  if (highlightSpent < 0) {
    highlightSpent = 0;
    queueMicrotask(() => (highlightSpent = -1)); // the next build starts afresh
  }
  return highlightSpent < HIGHLIGHT_BUDGET_MS;
}

function highlightIdle(deadline: IdleDeadline): void {
  for (const editor of plainCopies) {
    if (deadline.timeRemaining() < 2) break;
    editor.highlight();
  }
  if (plainCopies.size) idle(highlightIdle, { timeout: 2000 });
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
        if (e.isIntersecting) {
          lazy.highlight(); // before it is seen, even if its editor waits for a frame
          near.add(lazy);
        } else near.delete(lazy);
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
    const start = performance.now();
    const plain = !highlightNow();
    this.placeholder = staticCode(source(), language, plain);
    if (plain) {
      if (!plainCopies.size) idle(highlightIdle, { timeout: 2000 });
      plainCopies.add(this);
    } else highlightSpent += performance.now() - start;
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

  /** Colours the static copy if it was made plain. */
  highlight(): void {
    if (!plainCopies.delete(this) || !this.placeholder) return;
    highlightInto(this.placeholder, this.source(), this.language);
  }

  /** The editor, created now if it does not exist yet. */
  ensure(): EditorView {
    if (this.view) return this.view;
    if (this.destroyed) throw new Error("editor destroyed");
    this.unwatch();
    plainCopies.delete(this);
    this.placeholder?.remove();
    this.placeholder = null;
    this.view = this.make(this.host);
    return this.view;
  }

  /** The source changed while there is no editor yet: redraw the static copy. */
  refresh(): void {
    if (!this.placeholder) return;
    plainCopies.delete(this);
    const next = staticCode(this.source(), this.language);
    this.placeholder.replaceChildren(...next.childNodes);
  }

  destroy(): void {
    this.destroyed = true;
    this.unwatch();
    plainCopies.delete(this);
    this.view?.destroy();
  }

  private unwatch(): void {
    waiting.delete(this.host);
    near.delete(this);
    observer?.unobserve(this.host);
  }
}
