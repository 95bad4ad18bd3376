// One sandboxed output frame per code cell (page side). The frame holds the cell's
// active outputs and every output after the first of them (docs/output-frame.md); it
// talks to the page over its own MessageChannel, so the page acts on a message only for
// the cell whose frame sent it. Sandbox: scripts, popups and downloads, never same-origin.
import type { Output } from "../model";
import { isActive } from "../output-mimes";
import { frameCopy } from "./markdown-output";

export type FrameMessage = { kind: string; [key: string]: unknown };
type Handler = (msg: FrameMessage) => void;

const SANDBOX = "allow-scripts allow-popups allow-downloads";
const MAX_HEIGHT = 50_000;

interface Assets {
  js: string;
  katexJs: string;
  katexCss: string;
}

function assets(): Assets {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="cloudbook-frame"]');
  let parsed: Partial<Assets> = {};
  try {
    parsed = JSON.parse(meta?.content || "{}") as Partial<Assets>;
  } catch {
    parsed = {};
  }
  return {
    js: parsed.js ?? "/static/frame.js",
    katexJs: parsed.katexJs ?? "/static/frame-katex.js",
    katexCss: parsed.katexCss ?? "/static/frame-katex.css",
  };
}

function escapeAttr(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

export function srcdoc(frameJs: string): string {
  // Links and forms open in a new tab (a sandboxed popup), never replacing the frame.
  return (
    '<!doctype html><html><head><meta charset="utf-8"><base target="_blank">' +
    `<script src="${escapeAttr(frameJs)}"></script></head><body></body></html>`
  );
}

// Frames of saved outputs load when they come near the viewport: hundreds of iframes
// loading at once made a long notebook take minutes. A run's frames load at once.
const LAZY_MARGIN = "1500px 0px";
let lazyObserver: IntersectionObserver | null = null;
const waiting = new WeakMap<Element, OutputFrame>();

function loadWhenNear(frame: OutputFrame): boolean {
  if (typeof IntersectionObserver === "undefined") return false;
  lazyObserver ??= new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (entry.isIntersecting) waiting.get(entry.target)?.ensureMounted();
      }
    },
    { rootMargin: LAZY_MARGIN },
  );
  waiting.set(frame.el, frame);
  lazyObserver.observe(frame.el);
  return true;
}

interface Sent {
  id: number;
  data: unknown;
  text: unknown;
}

let nextOutputId = 1;

function appended(before: unknown, after: unknown): string | null {
  if (typeof before !== "string" || typeof after !== "string") return null;
  return after.length > before.length && after.startsWith(before) ? after.slice(before.length) : null;
}

export class OutputFrame {
  /** Stable node placed among the cell's outputs; the iframe inside may be replaced. */
  readonly el: HTMLElement = document.createElement("div");
  private iframe!: HTMLIFrameElement;
  private port!: MessagePort;
  private handlers = new Map<string, Set<Handler>>();
  private sent = new Map<Output, Sent>();
  private order: Output[] = [];
  private evals = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  private nextEval = 1;
  private reloads: number[] = [];
  private disposed = false;
  private mounted = false;
  // Posted before the first mount; delivered, in order, right after init.
  private early: [FrameMessage, Transferable[]][] = [];

  constructor(readonly live: boolean) {
    this.el.className = "output-frame-host";
    this.el.dataset["testid"] = "output-frame";
    this.on("resize", (msg) => {
      const height = Number(msg["height"]);
      if (Number.isFinite(height)) {
        this.iframe.style.height = `${Math.min(Math.max(Math.ceil(height), 0), MAX_HEIGHT)}px`;
      }
    });
    this.on("eval-result", (msg) => {
      const call = this.evals.get(Number(msg["id"]));
      this.evals.delete(Number(msg["id"]));
      if (msg["ok"]) call?.resolve(msg["value"]);
      else call?.reject(String(msg["error"]));
    });
    if (live || !loadWhenNear(this)) this.mount();
  }

  /** Loads the frame now if it waits for the viewport (an eval needs its document). */
  ensureMounted(): void {
    if (this.mounted || this.disposed) return;
    lazyObserver?.unobserve(this.el);
    waiting.delete(this.el);
    this.mount();
  }

  /** A fresh iframe and channel; what the frame had is replayed into it. */
  private mount(): void {
    const a = assets();
    const channel = new MessageChannel();
    this.port?.close();
    this.port = channel.port1;
    this.port.onmessage = (e: MessageEvent) => this.deliver(e.data as FrameMessage | null);
    const iframe = document.createElement("iframe");
    iframe.className = "output-frame";
    iframe.setAttribute("sandbox", SANDBOX);
    iframe.title = "Cell output";
    iframe.style.height = this.iframe?.style.height ?? "0px";
    iframe.srcdoc = srcdoc(a.js);
    let loads = 0;
    iframe.addEventListener("load", () => {
      // The first load gets the port. A later one means the frame was moved in the page
      // or navigated itself: whatever is in it now gets nothing, a fresh frame replaces it.
      if (loads++ === 0) {
        iframe.contentWindow?.postMessage({ kind: "cloudbook:connect" }, "*", [channel.port2]);
      } else if (iframe === this.iframe && !this.disposed) {
        this.reload();
      }
    });
    this.iframe?.replaceWith(iframe);
    if (!iframe.isConnected) this.el.append(iframe);
    this.iframe = iframe;
    this.port.postMessage({
      kind: "init",
      live: this.live,
      katex: { js: a.katexJs, css: a.katexCss },
    });
    if (!this.mounted) {
      this.mounted = true;
      for (const [msg, transfer] of this.early.splice(0)) this.port.postMessage(msg, transfer);
    } else {
      for (const out of this.order) this.postOutput("output-add", out, null);
    }
  }

  private reload(): void {
    const now = performance.now();
    this.reloads = this.reloads.filter((t) => now - t < 10_000);
    this.reloads.push(now);
    for (const call of this.evals.values()) call.reject("Error: the output frame was reloaded");
    this.evals.clear();
    if (this.reloads.length > 3) return; // a frame that keeps reloading itself stays blank
    this.mount();
  }

  private deliver(msg: FrameMessage | null): void {
    if (this.disposed || !msg || typeof msg.kind !== "string") return;
    for (const fn of this.handlers.get(msg.kind) ?? []) {
      try {
        fn(msg);
      } catch (e) {
        console.error(e);
      }
    }
  }

  /** Sends {kind, ...payload} to this frame. */
  post(kind: string, payload: Record<string, unknown> = {}, transfer: Transferable[] = []): void {
    if (this.disposed) return;
    const msg = { ...payload, kind };
    if (this.mounted) this.port.postMessage(msg, transfer);
    else this.early.push([msg, transfer]);
  }

  /** Calls fn with every message of that kind from this frame; returns an unsubscribe. */
  on(kind: string, fn: Handler): () => void {
    let set = this.handlers.get(kind);
    if (!set) this.handlers.set(kind, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  /** cell_javascript_eval: indirect eval in the frame, thenables awaited without limit;
   * rejects with String(error). */
  evalScript(script: string): Promise<unknown> {
    const id = this.nextEval++;
    this.ensureMounted();
    return new Promise((resolve, reject) => {
      if (this.disposed) return reject("Error: the output frame is gone");
      this.evals.set(id, { resolve, reject });
      this.post("eval", { id, script });
    });
  }

  private postOutput(kind: string, out: Output, before: Output | null): void {
    const id = this.sent.get(out)!.id;
    const beforeId = before ? (this.sent.get(before)?.id ?? null) : null;
    this.post(kind, { id, before: beforeId, output: frameCopy(out) });
  }

  /** Brings the frame's outputs in line with `outputs` (only what changed is sent). */
  render(outputs: Output[]): void {
    const keep = new Set(outputs);
    if (!outputs.length && this.order.length) {
      this.post("output-clear");
      this.sent.clear();
    }
    for (const out of this.order) {
      if (keep.has(out)) continue;
      const seen = this.sent.get(out);
      if (seen) this.post("output-remove", { id: seen.id });
      this.sent.delete(out);
    }
    outputs.forEach((out, i) => {
      const seen = this.sent.get(out);
      if (!seen) {
        this.sent.set(out, { id: nextOutputId++, data: out["data"], text: out["text"] });
        const next = outputs.slice(i + 1).find((o) => this.sent.has(o)) ?? null;
        this.postOutput("output-add", out, next);
      } else if (seen.data !== out["data"] || seen.text !== out["text"]) {
        const grown = seen.data === out["data"] ? appended(seen.text, out["text"]) : null;
        seen.data = out["data"];
        seen.text = out["text"];
        // A growing stream sends only what is new, so long logs stay linear.
        if (grown !== null) {
          this.post("output-append", { id: seen.id, text: grown });
        } else {
          this.postOutput("output-update", out, null);
        }
      }
    });
    this.order = outputs.slice();
  }

  dispose(): void {
    if (this.disposed) return;
    this.deliver({ kind: "dispose" });
    this.disposed = true;
    lazyObserver?.unobserve(this.el);
    for (const call of this.evals.values()) call.reject("Error: the output frame is gone");
    this.evals.clear();
    this.port?.close();
    this.el.remove();
  }
}

// ---- One frame per cell: the page registers each cell's output container. ----

/** What a cell offers its frame (kernel access, files panel, ...). */
export interface FrameHost {
  /** True once the cell ran in this page session: only then do its frames get kernel access. */
  live(): boolean;
  /** Wires the page's services (invokeFunction, comms, ...) to a new frame of this cell. */
  serve(frame: OutputFrame): void;
}

interface Slot {
  host: FrameHost | null;
  frame: OutputFrame | null;
}

const slots = new WeakMap<HTMLElement, Slot>();

function slot(container: HTMLElement): Slot {
  let s = slots.get(container);
  if (!s) slots.set(container, (s = { host: null, frame: null }));
  return s;
}

export function attachFrameHost(container: HTMLElement, host: FrameHost): void {
  const s = slot(container);
  s.host = host;
  // A cell view paints its saved outputs before it gets its host: serve that frame too.
  if (s.frame) host.serve(s.frame);
}

/** The cell's frame, created (empty) when it has none. */
export function cellFrame(container: HTMLElement): OutputFrame {
  const s = slot(container);
  if (!s.frame) {
    s.frame = new OutputFrame(s.host?.live() ?? false);
    s.host?.serve(s.frame);
    // Placed after the cell's in-page outputs until the next render positions it.
    container.append(s.frame.el);
  }
  return s.frame;
}

/** A new run of the cell: its frame (and everything scripts left in it) goes away. */
export function resetFrame(container: HTMLElement): void {
  const s = slot(container);
  s.frame?.dispose();
  s.frame = null;
}

/** Outputs before the first active one stay in the page; that one and the rest go to
 * the frame (so their order holds, and output areas can take any of them). */
export function splitOutputs(outputs: Output[]): [Output[], Output[]] {
  const first = outputs.findIndex((o) => isActive(o));
  return first < 0 ? [outputs, []] : [outputs.slice(0, first), outputs.slice(first)];
}

/** Renders the frame's share of outputs; returns the node to place after the page's. */
export function renderFrame(container: HTMLElement, frameOutputs: Output[]): HTMLElement | null {
  const s = slot(container);
  if (!s.frame && !frameOutputs.length) return null;
  const frame = cellFrame(container);
  frame.render(frameOutputs);
  return frame.el;
}
