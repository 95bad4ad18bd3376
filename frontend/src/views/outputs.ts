// Renders a cell's outputs. Text, streams, errors and raster images go in the page;
// anything active (HTML, SVG, JavaScript, LaTeX) goes in the cell's sandboxed output
// frame (output-frame.ts), and so does every output after the first active one.
import { colabOutput } from "../colab/mime";
import type { Output } from "../model";
import { preferredMime } from "../output-mimes";
import { markdownOutput } from "./markdown-output";
import { renderFrame, splitOutputs } from "./output-frame";
import { StreamView } from "./stream-view";
import { renderError } from "./traceback";

function text(value: unknown): string {
  return Array.isArray(value) ? value.join("") : String(value ?? "");
}

/** Plain text (streams, text/plain): terminal semantics, cut in view when very long. */
function pre(content: string, className: string, fileName: string): HTMLElement {
  const view = new StreamView(className, fileName);
  view.update(content);
  return view.el;
}

function rich(data: Record<string, unknown>): HTMLElement {
  if (preferredMime(data) === "text/markdown") return markdownOutput(data["text/markdown"]);
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
  return pre(text(data["text/plain"] ?? ""), "output-text", "output.txt");
}

export function renderOutput(out: Output): HTMLElement {
  const wrap = document.createElement("div");
  wrap.className = `output output-${out.output_type}`;
  wrap.dataset["testid"] = "output";
  if (out.output_type === "stream") {
    const name = String(out["name"]);
    const stream = new StreamView(`output-stream stream-${name}`, `${name}.txt`);
    stream.update(text(out["text"]));
    streams.set(wrap, stream);
    wrap.append(stream.el);
  } else if (out.output_type === "error") {
    const tb = (out["traceback"] as string[] | undefined) ?? [];
    wrap.append(renderError(text(out["ename"]), text(out["evalue"]), tb.map(String)));
  } else {
    wrap.append(rich((out["data"] as Record<string, unknown>) ?? {}));
  }
  return wrap;
}

// A stream's node grows in place: only the text that arrived since is rendered.
const streams = new WeakMap<HTMLElement, StreamView>();

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
  const stream = seen && out.output_type === "stream" ? streams.get(seen.node) : undefined;
  if (seen && stream && seen.data === out["data"]) {
    stream.update(text(out["text"]));
    seen.text = out["text"];
    return seen.node;
  }
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
