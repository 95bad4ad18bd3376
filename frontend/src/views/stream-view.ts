// A stream (or other terminal text) on screen, grown in place: each update appends the
// lines that arrived since the last one and redraws only the line being written. Very
// long text is cut in view: the first and the last part stay, with controls to show it
// all or download the full text (the document keeps everything either way).
import "./stream-view.css";

import { ansiToNodes, stripAnsi } from "../ansi";
import { TerminalText } from "../terminal";
import { h } from "./dom";

export interface Limits {
  /** Beyond either, the view is cut. */
  lines: number;
  chars: number;
  /** What stays in view when cut. */
  headLines: number;
  headChars: number;
  tailLines: number;
  tailChars: number;
}

export const LIMITS: Limits = {
  lines: 5000,
  chars: 400_000,
  headLines: 100,
  headChars: 20_000,
  tailLines: 2000,
  tailChars: 150_000,
};

const LINE_HEIGHT = 17; // px, as in stream-view.css

// The service's marked cut of a long stream (docs/live-execution.md) names the file with
// the whole output; it becomes a link (same origin, a GET of a notebook's own route).
const FULL_OUTPUT_MARK = "full output at /api/notebooks/";
const FULL_OUTPUT_URL = /full output at (\/api\/notebooks\/[A-Za-z0-9%._~-]+\/outputs\/[A-Za-z0-9%._~-]+\/(?:stdout|stderr))\]/;

function linkFullOutput(root: HTMLElement): void {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const texts: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) texts.push(n as Text);
  for (const node of texts) {
    const match = FULL_OUTPUT_URL.exec(node.data);
    if (!match) continue;
    const url = match[1]!;
    const start = match.index + "full output at ".length;
    const rest = node.splitText(start);
    rest.data = rest.data.slice(url.length);
    const link = h("a", { href: url, target: "_blank", rel: "noopener", "data-testid": "full-output-link" });
    link.textContent = url;
    node.after(link);
  }
}

interface Block {
  node: HTMLElement;
  lines: number;
  chars: number;
}

export class StreamView {
  readonly el: HTMLPreElement;
  private term = new TerminalText();
  private consumed = 0;
  private head: HTMLElement = h("span", { class: "stream-head" });
  private bar: HTMLElement;
  private barText = h("span", { class: "stream-cut-text", "data-testid": "output-cut" });
  private body: HTMLElement = h("span", { class: "stream-body" });
  private currentEl: HTMLElement = h("span", { class: "stream-current" });
  private blocks: Block[] = [];
  // Finished lines already in view: [0, headLines) in head, [tailFrom, rendered) in body.
  private rendered = 0;
  private headLines = 0;
  private tailFrom = 0;
  private cut = false;
  private expanded = false;

  constructor(
    className: string,
    private fileName = "output.txt",
    private limits: Limits = LIMITS,
  ) {
    this.el = h("pre", { class: className }) as HTMLPreElement;
    const showAll = h("button", { type: "button", "data-testid": "output-show-all" }, "Show all");
    showAll.addEventListener("click", () => this.showAll());
    const download = h("button", { type: "button", "data-testid": "output-download" });
    download.textContent = "Download";
    download.addEventListener("click", () => this.download());
    this.bar = h("span", { class: "stream-cut", contenteditable: "false" });
    this.bar.append(this.barText, showAll, download);
    this.el.append(this.body, this.currentEl);
  }

  /** Shows `text`, which is what was shown before plus more (or something new). */
  update(text: string): void {
    if (text.length < this.consumed) this.reset();
    else if (text.length === this.consumed && this.consumed) return;
    this.term.write(text.slice(this.consumed));
    this.consumed = text.length;
    this.paint();
  }

  /** The full text without escape codes, as the download gives it. */
  plainText(): string {
    return stripAnsi(this.term.text());
  }

  private reset(): void {
    this.term = new TerminalText();
    this.consumed = 0;
    this.rendered = this.headLines = this.tailFrom = 0;
    this.blocks = [];
    this.cut = false;
    this.head.replaceChildren();
    this.body.replaceChildren();
    this.el.replaceChildren(this.body, this.currentEl);
  }

  private paint(): void {
    const term = this.term;
    const n = term.lines.length;
    const L = this.limits;
    if (!this.cut && !this.expanded && (n > L.lines || term.finishedChars > L.chars)) {
      this.startCut();
    }
    if (this.rendered < n) {
      this.appendBlock(this.rendered, n);
      this.rendered = n;
    }
    if (this.cut) this.dropOld();
    const line = term.current;
    const shown = this.cut && line.length > L.tailChars ? line.slice(-L.tailChars) : line;
    this.currentEl.replaceChildren(...ansiToNodes(shown, term.styleAt(n)));
    if (this.cut) this.paintBar();
    this.estimateHeight();
  }

  // Until it is first laid out, an off-screen stream takes this height (content-visibility).
  private estimateHeight(): void {
    let lines = this.term.current ? 1 : 0;
    for (const b of this.blocks) lines += b.lines;
    if (this.cut) lines += this.headLines + 2;
    this.el.style.containIntrinsicSize = `auto ${lines * LINE_HEIGHT + 4}px`;
  }

  private appendBlock(from: number, to: number): void {
    const lines = this.term.lines.slice(from, to);
    let text = `${lines.join("\n")}\n`;
    if (this.cut && text.length > this.limits.tailChars) text = text.slice(-this.limits.tailChars);
    const node = h("span");
    node.append(...ansiToNodes(text, this.term.styleAt(from)));
    if (text.includes(FULL_OUTPUT_MARK)) linkFullOutput(node);
    this.body.append(node);
    this.blocks.push({ node, lines: to - from, chars: text.length });
  }

  /** Switch to the cut view: the head once, then the tail grows in blocks. */
  private startCut(): void {
    const { lines } = this.term;
    const L = this.limits;
    let head = 0;
    let chars = 0;
    while (head < Math.min(L.headLines, lines.length) && chars + lines[head]!.length <= L.headChars) {
      chars += lines[head]!.length + 1;
      head++;
    }
    this.cut = true;
    this.headLines = head;
    this.head.replaceChildren(...ansiToNodes(`${lines.slice(0, head).join("\n")}\n`));
    if (!head) this.head.replaceChildren();
    this.blocks = [];
    this.body.replaceChildren();
    // Start the tail near the end: only what can stay in view gets rendered.
    let from = lines.length;
    let tailChars = 0;
    while (from > head && lines.length - from < L.tailLines) {
      const len = lines[from - 1]!.length + 1;
      if (tailChars + len > L.tailChars && from < lines.length) break;
      tailChars += len;
      from--;
    }
    this.tailFrom = from;
    this.rendered = from;
    this.el.replaceChildren(this.head, this.bar, this.body, this.currentEl);
  }

  /** Drops the oldest blocks while what stays is still a full tail (or far too much). */
  private dropOld(): void {
    const L = this.limits;
    let lines = 0;
    let chars = 0;
    for (const b of this.blocks) {
      lines += b.lines;
      chars += b.chars;
    }
    while (this.blocks.length > 1) {
      const first = this.blocks[0]!;
      const rest = { lines: lines - first.lines, chars: chars - first.chars };
      const fullWithout = rest.lines >= L.tailLines || rest.chars >= L.tailChars;
      const farTooMuch = lines > 3 * L.tailLines || chars > 3 * L.tailChars;
      if (!fullWithout && !farTooMuch) break;
      first.node.remove();
      this.blocks.shift();
      lines = rest.lines;
      chars = rest.chars;
      this.tailFrom += first.lines;
    }
  }

  private paintBar(): void {
    const hidden = this.tailFrom - this.headLines;
    const total = this.term.lines.length + (this.term.current ? 1 : 0);
    this.barText.textContent =
      hidden > 0
        ? `… ${hidden.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} lines hidden`
        : "… output cut in view";
  }

  /** Everything, in a box that scrolls (so the page stays usable). */
  showAll(): void {
    this.expanded = true;
    this.cut = false;
    this.blocks = [];
    this.body.replaceChildren();
    this.rendered = 0;
    this.el.replaceChildren(this.body, this.currentEl);
    this.el.classList.add("stream-expanded");
    this.paint();
  }

  download(): void {
    const blob = new Blob([this.plainText()], { type: "text/plain;charset=utf-8" });
    const url = URL.createObjectURL(blob);
    const a = h("a", { href: url, download: this.fileName });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
}
