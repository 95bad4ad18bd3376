// Renders a cell's outputs. Text, streams, errors and raster images go in the page;
// anything active (HTML, SVG, JavaScript) goes in a sandboxed frame without
// allow-same-origin, so it can never act as the viewer.
import { ansiToNodes, applyCarriageReturns } from "../ansi";
import { colabOutput } from "../colab/mime";
import type { Output } from "../model";

const MAX_CHARS = 200_000;

// Frames report their content height; the message is trusted only for sizing, and only
// from a frame that is one of our output frames.
window.addEventListener("message", (event) => {
  const data = event.data as { type?: string; height?: number } | null;
  if (data?.type !== "cloudbook:resize" || typeof data.height !== "number") return;
  for (const frame of document.querySelectorAll<HTMLIFrameElement>("iframe.output-frame")) {
    if (frame.contentWindow === event.source) {
      frame.style.height = `${Math.min(Math.max(data.height, 20), 4000)}px`;
    }
  }
});

const RESIZE = `<script>
(() => {
  const post = () => parent.postMessage({type: "cloudbook:resize",
    height: document.documentElement.scrollHeight}, "*");
  new ResizeObserver(post).observe(document.documentElement);
  addEventListener("load", post);
})();
</script>`;

function frame(html: string): HTMLElement {
  const iframe = document.createElement("iframe");
  iframe.className = "output-frame";
  iframe.setAttribute("sandbox", "allow-scripts allow-popups allow-downloads");
  iframe.srcdoc =
    `<!doctype html><html><head><meta charset="utf-8"><style>body{margin:0;` +
    `font-family:system-ui,sans-serif;font-size:14px}table{border-collapse:collapse}` +
    `td,th{border:1px solid #ddd;padding:2px 6px}</style></head>` +
    `<body>${html}${RESIZE}</body></html>`;
  return iframe;
}

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
  if ("text/html" in data) return frame(text(data["text/html"]));
  if ("image/svg+xml" in data) return frame(text(data["image/svg+xml"]));
  if ("application/javascript" in data) {
    return frame(`<script>${text(data["application/javascript"])}</script>`);
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
  const nodes = outputs.map(nodeFor);
  nodes.forEach((node, i) => {
    const present = container.children[i];
    if (present !== node) container.insertBefore(node, present ?? null);
  });
  while (container.children.length > nodes.length) container.lastElementChild!.remove();
}
