// The page's side of live widgets: it keeps the state of every model from the kernel's
// comm messages (WidgetStore), gives any output frame the models its views need, relays
// each frame's comm messages to the kernel and fans kernel updates out to the frames that
// show the model, and diverts the outputs of `with out:` blocks into their Output widget.
import type { KernelClient } from "../kernel";
import type { Cell } from "../model";
import { addActiveMime } from "../output-mimes";
import type { FrameHost } from "../views/output-frame";
import { type KernelMessage, makeMessage, markCell } from "../wire";
import { isOutputMessage, OutputCaptures } from "./capture";
import { type CommData, VIEW_MIME, WIDGET_KINDS } from "./protocol";
import { viewedModelIds, widgetStateDoc, withWidgetState } from "./saved";
import { type BufferPath, type ModelSnapshot, WidgetStore } from "./store";

const TARGET = "jupyter.widget";
const CONTROL = "jupyter.widget.control";
const PROTOCOL_VERSION = "2.1.0";
const CONTROL_VERSION = "1.0.0";

type Msg = { kind: string; [key: string]: unknown };

// Widget views are active outputs: they render in the cell's output frame.
addActiveMime(VIEW_MIME);

/** The page's end of one output frame (OutputFrame satisfies it). */
export interface FramePort {
  /** The cell ran in this page session: only such a frame may talk to the kernel. */
  readonly live: boolean;
  post(kind: string, payload: Record<string, unknown>): void;
  on(kind: string, fn: (msg: Msg) => void): (() => void) | void;
}

/** The widget bundle's files, which build.mjs writes into index.html. */
function bundleAssets(): { js: string; css: string } {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="cloudbook-frame"]');
  try {
    const parsed = JSON.parse(meta?.content || "{}") as { widgetsJs?: string; widgetsCss?: string };
    return {
      js: parsed.widgetsJs ?? "/static/frame-widgets.js",
      css: parsed.widgetsCss ?? "/static/frame-widgets.css",
    };
  } catch {
    return { js: "/static/frame-widgets.js", css: "/static/frame-widgets.css" };
  }
}

interface Link {
  port: FramePort;
  cellId: string;
  /** Models this frame was given (or made): the only ones it may talk on. */
  known: Set<string>;
}

export class WidgetRouter {
  readonly store = new WidgetStore();
  /** A user acted on a live widget (its effects are worth saving). What the kernel
   * changes by itself (a progress bar in a long loop) is saved with the next save, such
   * as the one when the cell finishes: it must not keep the autosave from ever firing. */
  onChange: () => void = () => {};
  /** Outputs of a widget callback that no Output widget captured: shown in its cell (only
   * where the page runs cells itself: the service writes them into a live document). */
  onCallbackOutput: (cellId: string, msg: KernelMessage) => void = () => {};
  private kernel: KernelClient | null = null;
  private unsubscribe: (() => void) | null = null;
  private links = new Set<Link>();
  // Messages a frame sent to the kernel -> that frame (status callbacks, callback output).
  private origins = new Map<string, Link>();
  private captured = new WeakSet<KernelMessage>();
  private captures = new OutputCaptures();
  private controlId: string | null = null;
  // State the page itself sent (Output widgets' outputs): "model\nkey" -> last msg id.
  // Echoes of earlier sends are dropped, or a fast stream of prints would go backwards.
  private expectedEcho = new Map<string, string>();

  /** Follows a (new) kernel connection. */
  attachKernel(kernel: KernelClient): void {
    this.unsubscribe?.();
    this.kernel = kernel;
    this.store.markDead();
    // Outputs that went into an Output widget are taken: no cell (or invoke run) adds them.
    this.unsubscribe = kernel.subscribe((msg) => {
      this.fromKernel(msg);
      return this.captured.has(msg);
    });
    this.requestStates();
  }

  /** A cell's frame host that also wires each new frame of the cell in. */
  host(inner: FrameHost, cellId: string): FrameHost {
    return {
      live: () => inner.live(),
      serve: (frame) => {
        inner.serve(frame);
        const remove = this.addFrame(frame, cellId);
        frame.on("dispose", remove);
      },
    };
  }

  /** Wires an output frame in; returns the function that unwires it. */
  addFrame(port: FramePort, cellId: string): () => void {
    const link: Link = { port, cellId, known: new Set() };
    this.links.add(link);
    const on = (kind: string, fn: (msg: Msg) => void) => port.on(kind, fn);
    on(WIDGET_KINDS.assets, () => port.post(WIDGET_KINDS.assets, bundleAssets()));
    on(WIDGET_KINDS.need, (m) => {
      const ids = Array.isArray(m["ids"]) ? m["ids"].map(String) : [];
      // Every frame follows the kernel's updates; what a frame of a cell not run in
      // this session sends back never reaches the kernel (fromFrame).
      const models = this.store.closure(ids);
      for (const model of models) link.known.add(model.model_id);
      port.post(WIDGET_KINDS.models, { req: m["req"], models });
    });
    on(WIDGET_KINDS.send, (m) => this.fromFrame(link, m));
    on(WIDGET_KINDS.open, (m) => this.openFromFrame(link, m));
    on(WIDGET_KINDS.close, (m) => {
      const id = String(m["comm_id"]);
      if (!port.live || !link.known.has(id)) return;
      if (this.store.get(id)?.live) this.toKernel("comm_close", { comm_id: id, data: {} });
      this.store.close(id);
      this.broadcast(WIDGET_KINDS.closed, { comm_id: id }, link);
    });
    on(WIDGET_KINDS.commInfo, (m) => {
      const comms: Record<string, { target_name: string }> = {};
      for (const id of this.store.ids()) {
        if (this.store.get(id)?.live) comms[id] = { target_name: TARGET };
      }
      port.post(WIDGET_KINDS.commInfo, { req: m["req"], comms });
    });
    return () => {
      this.links.delete(link);
      for (const [id, l] of this.origins) if (l === link) this.origins.delete(id);
    };
  }

  /** The notebook JSON with the state of the widgets its outputs show. */
  annotate(json: Record<string, unknown>, cells: Cell[]): Record<string, unknown> {
    return withWidgetState(json, widgetStateDoc(this.store, viewedModelIds(cells)));
  }

  /** True for an iopub output that went into an Output widget (no execution got it). */
  isCaptured(msg: KernelMessage): boolean {
    return this.captured.has(msg);
  }

  /** To the frames showing that model (payload.comm_id), but the one it came from. */
  private broadcast(kind: string, payload: Record<string, unknown>, except?: Link): void {
    const id = String(payload["comm_id"]);
    for (const link of this.links) {
      if (link !== except && link.known.has(id)) link.port.post(kind, payload);
    }
  }

  private toKernel(
    type: string,
    content: Record<string, unknown>,
    msgId?: string,
    buffers: ArrayBuffer[] = [],
    metadata: Record<string, unknown> = {},
    cellId?: string,
  ): void {
    if (!this.kernel) return;
    const msg = makeMessage(type, content, this.kernel.session);
    if (msgId) msg.header.msg_id = msgId;
    // The kernel copies the header into its outputs' parent_header: the service's
    // executor writes what the callback prints into this cell (cloudbook/live/callbacks.py).
    if (cellId) markCell(msg, cellId);
    msg.buffers = buffers;
    // Comm protocol versions travel in the message's metadata, not its content.
    msg.metadata = metadata;
    this.kernel.sendMessage(msg);
  }

  /** After a page reload the kernel may still hold models: ask for all of them. */
  private requestStates(): void {
    this.controlId = crypto.randomUUID().replace(/-/g, "");
    const open = { comm_id: this.controlId, target_name: CONTROL, data: {} };
    this.toKernel("comm_open", open, undefined, [], { version: CONTROL_VERSION });
    this.toKernel("comm_msg", { comm_id: this.controlId, data: { method: "request_states" } });
  }

  private fromKernel(msg: KernelMessage): void {
    if (msg.channel !== "iopub") return;
    const type = msg.header.msg_type;
    const c = msg.content;
    const parent = msg.parent_header.msg_id;
    if (type === "status") {
      const state = String(c["execution_state"]);
      if (state === "restarting" || state === "dead" || state === "starting") {
        this.store.markDead();
      }
      const origin = parent ? this.origins.get(parent) : undefined;
      if (origin && parent) {
        origin.port.post(WIDGET_KINDS.status, { msg_id: parent, execution_state: state });
        if (state === "idle") this.origins.delete(parent);
      }
    } else if (type === "comm_open" && c["target_name"] === TARGET) {
      const data = (c["data"] ?? {}) as CommData;
      this.store.open(String(c["comm_id"]), data.state ?? {}, data.buffer_paths, msg.buffers);
    } else if (type === "comm_msg") {
      this.commMsg(msg);
    } else if (type === "comm_close") {
      const id = String(c["comm_id"]);
      if (!this.store.get(id)) return;
      this.store.close(id);
      this.captures.forget(id);
      for (const k of this.expectedEcho.keys()) if (k.startsWith(`${id}\n`)) this.expectedEcho.delete(k);
      this.broadcast(WIDGET_KINDS.closed, { comm_id: id });
    } else if (isOutputMessage(msg)) {
      this.output(msg);
    }
  }

  private commMsg(msg: KernelMessage): void {
    const id = String(msg.content["comm_id"]);
    const data = (msg.content["data"] ?? {}) as CommData;
    if (id === this.controlId) return this.restoreStates(data, msg.buffers);
    if (!this.store.get(id)) return;
    if (data.method === "echo_update" && !this.keepEcho(id, data, msg.parent_header.msg_id)) return;
    if (data.method === "update" || data.method === "echo_update") {
      this.store.update(id, data.state ?? {}, data.buffer_paths, msg.buffers);
    }
    this.broadcast(WIDGET_KINDS.msg, {
      comm_id: id,
      msg_id: msg.header.msg_id,
      parent_msg_id: msg.parent_header.msg_id ?? "",
      data,
      buffers: msg.buffers,
    });
  }

  /** Removes from an echo what the page sent itself; false when nothing is left. */
  private keepEcho(id: string, data: CommData, parent: string | undefined): boolean {
    const state = data.state ?? {};
    for (const key of Object.keys(state)) {
      const k = `${id}\n${key}`;
      const expected = this.expectedEcho.get(k);
      if (expected === undefined) continue;
      if (expected === parent) this.expectedEcho.delete(k);
      delete state[key];
    }
    return Object.keys(state).length > 0 || Boolean(data.buffer_paths?.length);
  }

  /** The control comm's answer: every model the kernel has, live again. */
  private restoreStates(data: CommData, buffers: ArrayBuffer[]): void {
    if (data.method !== "update_states") return;
    const states = (data["states"] ?? {}) as Record<string, { state?: Record<string, unknown> }>;
    const paths = (data.buffer_paths ?? []) as BufferPath[];
    const revived: ModelSnapshot[] = [];
    for (const [id, entry] of Object.entries(states)) {
      const mine = paths.flatMap((p, i) => (p[0] === id && p[1] === "state" ? [i] : []));
      revived.push(
        this.store.open(
          id,
          entry.state ?? {},
          mine.map((i) => paths[i]!.slice(2)),
          mine.map((i) => buffers[i]!),
        ),
      );
    }
    // Frames showing these from saved state catch up with the kernel's state.
    for (const m of revived) {
      const data = { method: "update", state: m.state, buffer_paths: m.buffers.map((b) => b.path) };
      const buffers = m.buffers.map((b) => b.data);
      this.broadcast(WIDGET_KINDS.msg, { comm_id: m.model_id, msg_id: "", parent_msg_id: "", data, buffers });
    }
  }

  private output(msg: KernelMessage): void {
    const parent = msg.parent_header.msg_id;
    const target = this.store.capturer(parent);
    const model = target ? this.store.get(target) : undefined;
    if (target && model) {
      // A display update also reaches the cell's displays with that id.
      if (msg.header.msg_type !== "update_display_data") this.captured.add(msg);
      const before = model.state["outputs"];
      const outputs = this.captures.apply(target, before, msg);
      // clear_output(wait=True) changes nothing yet: no redraw, no message (the equal
      // value is still stored, so the capture keeps its pending clear).
      if (JSON.stringify(outputs) === JSON.stringify(before ?? [])) {
        this.store.update(target, { outputs });
      } else {
        this.setState(target, { outputs });
      }
      return;
    }
    const origin = parent ? this.origins.get(parent) : undefined;
    if (origin) this.onCallbackOutput(origin.cellId, msg);
  }

  /** A state change made on the page: into the store, to every frame and the kernel. */
  private setState(id: string, state: Record<string, unknown>): void {
    this.store.update(id, state);
    const data = { method: "update", state, buffer_paths: [] };
    const msgId = crypto.randomUUID().replace(/-/g, "");
    if (this.store.get(id)?.live) {
      for (const key of Object.keys(state)) this.expectedEcho.set(`${id}\n${key}`, msgId);
      this.toKernel("comm_msg", { comm_id: id, data }, msgId);
    }
    this.broadcast(WIDGET_KINDS.msg, { comm_id: id, msg_id: msgId, parent_msg_id: "", data });
  }

  private fromFrame(link: Link, m: Msg): void {
    const id = String(m["comm_id"]);
    const msgId = String(m["msg_id"]);
    const data = (m["data"] ?? {}) as CommData;
    const buffers = (m["buffers"] as ArrayBuffer[] | undefined) ?? [];
    const model = this.store.get(id);
    if (!model || !link.known.has(id)) return;
    // A live model changes through the kernel, and only a live frame may reach it; a
    // model shown from saved state just keeps every frame's view of it the same.
    const toKernel = model.live && this.kernel !== null && link.port.live;
    if (data.method === "update" && (toKernel || !model.live)) {
      this.store.update(id, data.state ?? {}, data.buffer_paths, buffers);
      this.broadcast(WIDGET_KINDS.msg, { comm_id: id, msg_id: msgId, data, buffers }, link);
    }
    if (toKernel) {
      this.onChange(); // a drag, a click, a key: one debounced save after it settles
      this.origins.set(msgId, link);
      const content = { comm_id: id, data: data as Record<string, unknown> };
      this.toKernel("comm_msg", content, msgId, buffers, {}, link.cellId);
    } else {
      // Nothing will answer: release the model's message throttle at once.
      link.port.post(WIDGET_KINDS.status, { msg_id: msgId, execution_state: "idle" });
    }
  }

  /** A model created in a frame (rare: widgets made from JavaScript). */
  private openFromFrame(link: Link, m: Msg): void {
    const id = String(m["comm_id"]);
    const data = (m["data"] ?? {}) as CommData;
    const buffers = (m["buffers"] as ArrayBuffer[] | undefined) ?? [];
    const live = Boolean(this.kernel) && link.port.live;
    if (this.store.get(id)) return; // an id that exists is not the frame's to take over
    link.known.add(id);
    this.store.open(id, data.state ?? {}, data.buffer_paths, buffers, live);
    if (!live) return;
    this.origins.set(String(m["msg_id"]), link);
    const content = { comm_id: id, target_name: String(m["target_name"] ?? TARGET), data };
    const metadata = { version: PROTOCOL_VERSION };
    this.toKernel("comm_open", content, String(m["msg_id"]), buffers, metadata, link.cellId);
  }
}
