// Renders a cell's outputs. Text, streams, errors and raster images go in the page;
// anything active (HTML, SVG, JavaScript, LaTeX) goes in the cell's sandboxed output
// frame (output-frame.ts), and so does every output after the first active one.
import { ansiToNodes, applyCarriageReturns } from "../ansi";
import { colabOutput } from "../colab/mime";
import type { Output } from "../model";
import { renderFrame, splitOutputs } from "./output-frame";

const MAX_CHARS = 200_000;

function text(value: unknown): string {
  return Array.isArray(value) ? value.join("") : String(value ?? "");
}

function pre(content: string, className: string): HTMLElement {
  const el = document.createElement("pre");
  el.className = className;
  let shown = applyCarriageReturns(content);
  if (shown.length > MAX_CHARS) {
    const hidden = shown.length - MAX_CHARS;
    shown = shown.slice(-MAX_CHARS);
    const note = document.createElement("div");
    note.className = "output-truncated";
    note.textContent = `… ${hidden.toLocaleString()} earlier characters not shown`;
    el.append(note);
  }
  el.append(...ansiToNodes(shown));
  return el;
}

function rich(data: Record<string, unknown>): HTMLElement {
  for (const mime of ["image/png", "image/jpeg", "image/gif"]) {
    if (mime in data) {
      const img = document.createElement("img");
      img.className = "output-image";
      img.alt = "output image";
      img.src = `data:${mime};base64,${text(data[mime]).replace(/\n/g, "")}`;
      return img;
    }
  }
  const colab = colabOutput(data);
  if (colab) return colab;
  return pre(text(data["text/plain"] ?? ""), "output-text");
}

export function renderOutput(out: Output): HTMLElement {
  const wrap = document.createElement("div");
  wrap.className = `output output-${out.output_type}`;
  wrap.dataset["testid"] = "output";
  if (out.output_type === "stream") {
    wrap.append(pre(text(out["text"]), `output-stream stream-${String(out["name"])}`));
  } else if (out.output_type === "error") {
    const tb = (out["traceback"] as string[] | undefined) ?? [];
    const body = tb.length ? tb.join("\n") : `${text(out["ename"])}: ${text(out["evalue"])}`;
    wrap.append(pre(body, "output-error-text"));
  } else {
    wrap.append(rich((out["data"] as Record<string, unknown>) ?? {}));
  }
  return wrap;
}

interface Rendered {
  node: HTMLElement;
  data: unknown;
  text: unknown;
}

// Outputs already on screen keep their nodes while they stay the same (an output frame
// moved or re-created would reload), so a stream growing below a plot or an HTML table
// does not redraw them.
const rendered = new WeakMap<Output, Rendered>();

function nodeFor(out: Output): HTMLElement {
  const seen = rendered.get(out);
  if (seen && seen.data === out["data"] && seen.text === out["text"]) return seen.node;
  const node = renderOutput(out);
  rendered.set(out, { node, data: out["data"], text: out["text"] });
  return node;
}

export function renderOutputs(container: HTMLElement, outputs: Output[]): void {
  const [inPage, inFrame] = splitOutputs(outputs);
  const nodes = inPage.map(nodeFor);
  const frameNode = renderFrame(container, inFrame);
  if (frameNode) nodes.push(frameNode);
  // Removing first means a node that stays is never moved (a moved iframe reloads).
  const wanted = new Set<Element>(nodes);
  for (const child of Array.from(container.children)) if (!wanted.has(child)) child.remove();
  nodes.forEach((node, i) => {
    const present = container.children[i];
    if (present !== node) container.insertBefore(node, present ?? null);
  });
  while (container.children.length > nodes.length) container.lastElementChild!.remove();
}
