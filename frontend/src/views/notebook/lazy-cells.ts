// Cells drawn at open skip layout and paint while off screen (`.lazy-layout`, CSS
// content-visibility), so a 500-cell notebook is interactive without laying out every
// cell (docs/architecture.md "bigcells"). What keeps scrolling right meanwhile:
// - each cell's stand-in height is estimated from its source and outputs, not a constant;
// - a page scrolled to the end stays at the end while cells settle (ResizeObserver);
// - the page's own jumps (table of contents, find, the cursor, run all) settle the
//   target and a screenful around it before scrolling;
// - after open, every cell leaves the state in idle chunks, so layout is exact again.
import type { Cell } from "../../model";

/** `localStorage["cloudbook.layout"] = "eager"` lays out every cell at open (the bench
 * compares both in one run). */
export function lazyLayoutOn(): boolean {
  try {
    return window.localStorage.getItem("cloudbook.layout") !== "eager";
  } catch {
    return true;
  }
}

// Measured in Chromium on the default theme, 1280 px wide (bench notebook within 10 px
// of 3060 px): a code cell is CELL_BASE + EDITOR_LINE per source line + its outputs, and
// at least the gutter's CELL_MIN; a stream line is 17 px (stream-view.css).
const CELL_BASE = 38;
const EDITOR_LINE = 15.6;
const CELL_MIN = 76;
const STREAM_LINE = 17;
const STREAM_EXTRA = 4;
const MARKDOWN_LINE = 44;
const IMAGE_OUTPUT = 300;

function lines(text: unknown): number {
  const s = Array.isArray(text) ? text.join("") : typeof text === "string" ? text : "";
  if (!s) return 0;
  let n = 1;
  for (let i = s.indexOf("\n"); i >= 0 && i < s.length - 1; i = s.indexOf("\n", i + 1)) n++;
  return n;
}

function outputHeight(out: Record<string, unknown>): number {
  const data = out["data"];
  if (data && typeof data === "object") {
    if (Object.keys(data).some((k) => k.startsWith("image/"))) return IMAGE_OUTPUT;
    return Math.max(1, lines((data as Record<string, unknown>)["text/plain"])) * STREAM_LINE + 8;
  }
  return STREAM_LINE + 8;
}

/** Roughly how tall a cell is once laid out (px): close enough that settling cells
 * seldom moves what is in view. */
export function estimateHeight(cell: Cell): number {
  const source = Math.max(1, lines(cell.source));
  if (cell.cell_type === "markdown") return Math.max(CELL_MIN, CELL_BASE + source * MARKDOWN_LINE);
  let height = CELL_BASE + source * EDITOR_LINE;
  let stream = 0;
  for (const out of cell.outputs ?? []) {
    if (out.output_type === "stream") stream += lines(out["text"]);
    else height += outputHeight(out);
  }
  // Consecutive stream outputs are drawn as one block.
  if (stream) height += stream * STREAM_LINE + STREAM_EXTRA;
  return Math.round(Math.max(CELL_MIN, height));
}

export function settle(root: Element): void {
  root.classList.remove("lazy-layout");
}

function isLazy(el: Element | null): el is HTMLElement {
  return el instanceof HTMLElement && el.classList.contains("lazy-layout");
}

type Idle = (fn: () => void) => void;
const idle: Idle = (fn) =>
  window.requestIdleCallback ? window.requestIdleCallback(fn, { timeout: 1000 }) : setTimeout(fn, 50);

// A chunk is at most CHUNK cells and about CHUNK_PX of estimated height: laying out is
// the cost, and it grows with the cells' output lines. 25 of the bench's 3,000 px cells
// made a ~100 ms frame, and a click or key arriving then waited for it (a page opened
// and typed into at once); ~16,000 px is a 10-25 ms frame.
const CHUNK = 25;
const CHUNK_PX = 16_000;

function standIn(el: HTMLElement): number {
  return parseFloat(el.style.containIntrinsicSize.split(" ")[1] ?? "0") || 0;
}

export class LazyCells {
  private atEnd = false;
  private resize: ResizeObserver | null = null;
  private done = false;

  constructor(private container: HTMLElement) {}

  /** Gives a cell of the opening build the lazy state and its estimated height. */
  mark(root: HTMLElement, cell: Cell): void {
    root.classList.add("lazy-layout");
    root.style.containIntrinsicSize = `auto ${estimateHeight(cell)}px`;
  }

  /** After the opening build: keep the end in view while cells settle, and settle them
   * all while the browser is idle. */
  start(): void {
    if (!this.container.querySelector(".lazy-layout")) return;
    idle(this.settleChunk);
    if (typeof ResizeObserver === "undefined") return; // jsdom
    window.addEventListener("scroll", this.onScroll, { passive: true });
    this.resize = new ResizeObserver(() => {
      // Before paint: the page shows the end in the same frame as the growth.
      const scroller = document.scrollingElement;
      if (this.atEnd && scroller) scroller.scrollTop = scroller.scrollHeight;
    });
    this.resize.observe(this.container);
  }

  private onScroll = (): void => {
    const s = document.scrollingElement;
    if (!s) return;
    // Only a page that was scrolled there: one that fits its window is not "at the end".
    this.atEnd = s.scrollTop > 0 && s.scrollTop + s.clientHeight >= s.scrollHeight - 2;
  };

  private settleChunk = (): void => {
    if (this.done) return;
    const lazy = this.container.querySelectorAll<HTMLElement>(":scope > .lazy-layout");
    let n = 0;
    for (let px = 0; n < Math.min(CHUNK, lazy.length) && (n === 0 || px < CHUNK_PX); n++) {
      px += standIn(lazy[n]!);
      settle(lazy[n]!);
    }
    // The next chunk after this one was laid out (the idle time after its frame).
    if (lazy.length > n) requestAnimationFrame(() => idle(this.settleChunk));
    // Stop keeping the end once the last chunk's growth was seen (a frame later).
    else requestAnimationFrame(() => requestAnimationFrame(() => this.stop()));
  };

  /** Settles a cell and the cells a screen above and below it, so that scrolling it into
   * view lands where the layout says, and what moves afterwards is off screen. */
  settleAround(root: Element): void {
    settle(root);
    const reach = window.innerHeight;
    for (const step of ["previousElementSibling", "nextElementSibling"] as const) {
      let seen = 0;
      for (let el = root[step]; el && seen < reach; el = el[step]) {
        if (isLazy(el)) {
          seen += standIn(el);
          settle(el);
        } else seen += el.getBoundingClientRect().height;
      }
    }
  }

  /** Scrolls a cell into view after settling what is around it. */
  reveal(root: Element, block: ScrollLogicalPosition): void {
    this.settleAround(root);
    root.scrollIntoView({ block });
  }

  stop(): void {
    this.done = true;
    this.resize?.disconnect();
    this.resize = null;
    window.removeEventListener("scroll", this.onScroll);
  }
}
