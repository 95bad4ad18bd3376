// Renders one output into its element inside the frame. HTML runs its scripts in order
// (external ones are awaited before the next, so later scripts can use what they load),
// JavaScript runs as a global script with window.element set to its output element.
import { ansiToNodes, applyCarriageReturns } from "../ansi";
import { addActiveMime, joinText, preferredMime } from "../output-mimes";
import { renderLatex } from "./latex";

export type MimeRenderer = (
  data: unknown,
  metadata: Record<string, unknown>,
  element: HTMLElement,
) => void | Promise<void>;

const renderers = new Map<string, MimeRenderer>();

/** Lets a frame-side plugin (widgets) render a MIME type; it wins over the built-in ones. */
export function registerMimeRenderer(mime: string, render: MimeRenderer): void {
  renderers.set(mime, render);
  addActiveMime(mime);
}

declare global {
  interface Window {
    element?: HTMLElement;
  }
}

// As in the page: a huge stream shows its end (the page's `outputs` module has the rest).
const MAX_CHARS = 200_000;

function pre(text: string, className: string): HTMLElement {
  const el = document.createElement("pre");
  el.className = className;
  let shown = applyCarriageReturns(text);
  if (shown.length > MAX_CHARS) {
    const note = document.createElement("div");
    note.className = "output-truncated";
    note.textContent = `… ${(shown.length - MAX_CHARS).toLocaleString()} earlier characters not shown`;
    el.append(note);
    shown = shown.slice(-MAX_CHARS);
  }
  el.append(...ansiToNodes(shown));
  return el;
}

function cloneScript(old: HTMLScriptElement): HTMLScriptElement {
  const script = document.createElement("script");
  for (const attr of Array.from(old.attributes)) script.setAttribute(attr.name, attr.value);
  script.textContent = old.textContent;
  return script;
}

// Colab's plotly renderer loads plotly.js from its CDN; the service serves its own copy
// so figures draw without internet. The CDN stays the fallback (a service without plotly).
const PLOTLY_CDN = /^https?:\/\/cdn\.plot\.ly\/plotly-[\w.-]*\.js(\?.*)?$/;
const LOCAL_PLOTLY = "/vendor/plotly.min.js";
// MathJax, which plotly's HTML loads first, matters only for LaTeX labels.
const OPTIONAL_CDN = /^https?:\/\/cdnjs\.cloudflare\.com\/ajax\/libs\/mathjax\//;

function loadScript(script: HTMLScriptElement, place: (s: HTMLScriptElement) => void): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    script.onload = () => resolve(true);
    script.onerror = () => resolve(false);
    place(script);
  });
}

export async function renderHtml(html: string, el: HTMLElement): Promise<void> {
  el.innerHTML = html;
  // Scripts set through innerHTML never run; fresh copies do, in document order.
  for (const old of Array.from(el.querySelectorAll("script"))) {
    const script = cloneScript(old);
    const original = script.getAttribute("src");
    if (original && PLOTLY_CDN.test(original)) {
      // The kernel's plotly pinned its own bundle's hash; the service's copy may be
      // another build, and it is no third party to guard against.
      script.removeAttribute("integrity");
      script.removeAttribute("crossorigin");
      // the plotly.js version the kernel's plotly was made for, where the service has it
      const version = /plotly-(\d+\.\d+\.\d+)(\.min)?\.js/.exec(original)?.[1];
      script.src = version ? `${LOCAL_PLOTLY}?v=${version}` : LOCAL_PLOTLY;
      if (!(await loadScript(script, (s) => old.replaceWith(s)))) {
        const retry = cloneScript(old);
        await loadScript(retry, (s) => script.replaceWith(s));
      }
    } else if (original && OPTIONAL_CDN.test(original)) {
      old.replaceWith(script); // not awaited: offline it may hang until a network timeout
    } else if (script.src) {
      await loadScript(script, (s) => old.replaceWith(s));
    } else {
      old.replaceWith(script);
    }
  }
}

export function runJavascript(code: string, el: HTMLElement): void {
  window.element = el;
  let error: unknown = null;
  const onError = (event: ErrorEvent) => {
    error = event.error ?? event.message;
  };
  window.addEventListener("error", onError);
  const script = document.createElement("script");
  script.textContent = code;
  document.head.append(script);
  script.remove();
  window.removeEventListener("error", onError);
  if (error !== null) el.append(pre(`Javascript Error: ${String(error)}`, "output-error-text"));
}

function image(mime: string, data: unknown): HTMLElement {
  const img = document.createElement("img");
  img.alt = "output image";
  img.src = `data:${mime};base64,${joinText(data).replace(/\n/g, "")}`;
  return img;
}

async function renderData(
  data: Record<string, unknown>,
  metadata: Record<string, unknown>,
  el: HTMLElement,
): Promise<void> {
  const mime = preferredMime(data);
  if (mime === null) return;
  const custom = renderers.get(mime);
  const value = data[mime];
  if (custom) return custom(value, metadata, el);
  switch (mime) {
    case "application/javascript":
      return runJavascript(joinText(value), el);
    case "text/html":
      return renderHtml(joinText(value), el);
    case "image/svg+xml":
      el.innerHTML = joinText(value);
      return;
    case "text/latex":
      return renderLatex(joinText(value), el);
    case "image/png":
    case "image/jpeg":
    case "image/gif":
      el.append(image(mime, value));
      return;
    default:
      el.append(pre(joinText(value), "output-text"));
  }
}

const streamText = new WeakMap<HTMLElement, string>();

/** Adds text to a stream output; plain additions append nodes, anything that could
 * rewrite earlier text (\r, \b, escapes, the length cut) re-renders it. */
export function appendStream(el: HTMLElement, text: string): void {
  const before = streamText.get(el) ?? "";
  const all = before + text;
  streamText.set(el, all);
  const target = el.querySelector("pre");
  const lastLine = before.slice(before.lastIndexOf("\n") + 1);
  const rewrites =
    /[\r\x08\x1b]/.test(text) || /[\r\x08]/.test(lastLine) || before.includes("\x1b");
  if (!target || rewrites || all.length > MAX_CHARS) {
    el.replaceChildren(pre(all, target?.className ?? "output-stream"));
  } else {
    target.append(text);
  }
}

/** Fills `el` (emptied first) with the output. */
export async function renderInto(out: Record<string, unknown>, el: HTMLElement): Promise<void> {
  el.replaceChildren();
  const type = String(out["output_type"]);
  el.className = `output output-${type}`;
  if (type === "stream") {
    streamText.set(el, joinText(out["text"]));
    el.append(pre(joinText(out["text"]), `output-stream stream-${String(out["name"])}`));
  } else if (type === "error") {
    const tb = (out["traceback"] as string[] | undefined) ?? [];
    const name = `${joinText(out["ename"])}: ${joinText(out["evalue"])}`;
    const body = tb.length ? tb.join("\n") : name;
    el.append(pre(body, "output-error-text"));
  } else {
    const data = (out["data"] as Record<string, unknown> | undefined) ?? {};
    const metadata = (out["metadata"] as Record<string, unknown> | undefined) ?? {};
    await renderData(data, metadata, el);
  }
}
