// text/latex outputs: math between $…$, $$…$$, \(…\), \[…\] or a \begin…\end block is
// typeset with KaTeX (its own bundle, loaded on first use); the rest stays text.

interface Katex {
  render(tex: string, el: HTMLElement, options: Record<string, unknown>): void;
}
declare global {
  interface Window {
    cloudbookKatex?: Katex;
  }
}

export const katexAssets = { js: "", css: "" };
let loading: Promise<Katex> | null = null;

function loadKatex(): Promise<Katex> {
  if (window.cloudbookKatex) return Promise.resolve(window.cloudbookKatex);
  loading ??= new Promise<Katex>((resolve, reject) => {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = katexAssets.css;
    const script = document.createElement("script");
    script.src = katexAssets.js;
    script.onload = () =>
      window.cloudbookKatex ? resolve(window.cloudbookKatex) : reject(new Error("no KaTeX"));
    script.onerror = () => reject(new Error("KaTeX could not be loaded"));
    document.head.append(link, script);
  });
  return loading;
}

const MATH =
  /\$\$([\s\S]+?)\$\$|\\\[([\s\S]+?)\\\]|\\\(([\s\S]+?)\\\)|(\\begin\{([a-z*]+)\}[\s\S]+?\\end\{\5\})|(?<![\\$])\$((?:\\\$|[^$])+?)\$/g;

export interface Piece {
  text: string;
  math: boolean;
  display: boolean;
}

/** Splits LaTeX output text into plain text and formulas (exported for tests). */
export function splitLatex(source: string): Piece[] {
  const pieces: Piece[] = [];
  let last = 0;
  for (const m of source.matchAll(MATH)) {
    if (m.index > last) {
      pieces.push({ text: source.slice(last, m.index), math: false, display: false });
    }
    const inline = m[3] ?? m[6];
    const tex = m[1] ?? m[2] ?? m[4] ?? inline ?? "";
    pieces.push({ text: tex, math: true, display: inline === undefined });
    last = m.index + m[0].length;
  }
  if (last < source.length) pieces.push({ text: source.slice(last), math: false, display: false });
  return pieces;
}

export async function renderLatex(source: string, el: HTMLElement): Promise<void> {
  const pieces = splitLatex(source);
  // Text that is all formula without delimiters (Latex("x^2")) is still a formula.
  if (!pieces.some((p) => p.math)) {
    pieces.splice(0, pieces.length, { text: source, math: true, display: true });
  }
  const katex = await loadKatex().catch(() => null);
  el.classList.add("output-latex");
  for (const piece of pieces) {
    const span = document.createElement(piece.display && piece.math ? "div" : "span");
    if (piece.math && katex) {
      katex.render(piece.text, span, { displayMode: piece.display, throwOnError: false });
    } else {
      span.textContent = piece.text;
    }
    el.append(span);
  }
}
