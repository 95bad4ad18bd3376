// The page's side of live widgets: it keeps the state of every model from the kernel's
// comm messages (WidgetStore), gives any output frame the models its views need, relays
// each frame's comm messages to the kernel and fans kernel updates out to all frames,
// and diverts the outputs of `with out:` blocks into their Output widget.
import type { KernelClient } from "../kernel";
import type { Cell } from "../model";
import { addActiveMime } from "../output-mimes";
import type { FrameHost } from "../views/output-frame";
import { type KernelMessage, makeMessage } from "../wire";
import { isOutputMessage, OutputCaptures } from "./capture";
import { type CommData, VIEW_MIME, WIDGET_KINDS } from "./protocol";
import { viewedModelIds, widgetStateDoc, withWidgetState } from "./saved";
import { type BufferPath, type ModelSnapshot, WidgetStore } from "./store";

const TARGET = "jupyter.widget";
const CONTROL = "jupyter.widget.control";
const PROTOCOL_VERSION = "2.1.0";

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
}

export class WidgetRouter {
  readonly store = new WidgetStore();
  /** Any change worth saving (models opened, closed, updated). */
  onChange: () => void = () => {};
  /** Outputs of a widget callback that no Output widget captured: shown in its cell. */
  onCallbackOutput: (cellId: string, msg: KernelMessage) => void = () => {};
  private kernel: KernelClient | null = null;
  private unsubscribe: (() => void) | null = null;
  private links = new Set<Link>();
  // Messages a frame sent to the kernel -> that frame (status callbacks, callback output).
  private origins = new Map<string, Link>();
  private captured = new WeakSet<KernelMessage>();
  private captures = new OutputCaptures();
  private controlId: string | null = null;

  /** Follows a (new) kernel connection. */
  attachKernel(kernel: KernelClient): void {
    this.unsubscribe?.();
    this.kernel = kernel;
    this.store.markDead();
    this.unsubscribe = kernel.subscribe((msg) => this.fromKernel(msg));
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
    const link: Link = { port, cellId };
    this.links.add(link);
    const on = (kind: string, fn: (msg: Msg) => void) => port.on(kind, fn);
    on(WIDGET_KINDS.assets, () => port.post(WIDGET_KINDS.assets, bundleAssets()));
    on(WIDGET_KINDS.need, (m) => {
      const ids = Array.isArray(m["ids"]) ? m["ids"].map(String) : [];
      // A frame of a cell not run in this session shows the state but gets no comms.
      const models = this.store
        .closure(ids)
        .map((model) => (port.live ? model : { ...model, live: false }));
      port.post(WIDGET_KINDS.models, { req: m["req"], models });
    });
    on(WIDGET_KINDS.send, (m) => this.fromFrame(link, m));
    on(WIDGET_KINDS.open, (m) => this.openFromFrame(link, m));
    on(WIDGET_KINDS.close, (m) => {
      const id = String(m["comm_id"]);
      if (!port.live) return;
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

  /** True for an iopub output that went into an Output widget (the cell must skip it). */
  isCaptured(msg: KernelMessage): boolean {
    return this.captured.has(msg);
  }

  private broadcast(kind: string, payload: Record<string, unknown>, except?: Link): void {
    for (const link of this.links) if (link !== except) link.port.post(kind, payload);
  }

  private toKernel(
    type: string,
    content: Record<string, unknown>,
    msgId?: string,
    buffers: ArrayBuffer[] = [],
  ): void {
    if (!this.kernel) return;
    const msg = makeMessage(type, content, this.kernel.session);
    if (msgId) msg.header.msg_id = msgId;
    msg.buffers = buffers;
    this.kernel.sendMessage(msg);
  }

  /** After a page reload the kernel may still hold models: ask for all of them. */
  private requestStates(): void {
    this.controlId = crypto.randomUUID().replace(/-/g, "");
    this.toKernel(
      "comm_open",
      { comm_id: this.controlId, target_name: CONTROL, data: {}, metadata: { version: "1.0.0" } },
    );
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
      this.onChange();
    } else if (type === "comm_msg") {
      this.commMsg(msg);
    } else if (type === "comm_close") {
      const id = String(c["comm_id"]);
      if (!this.store.get(id)) return;
      this.store.close(id);
      this.captures.forget(id);
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
    if (data.method === "update" || data.method === "echo_update") {
      this.store.update(id, data.state ?? {}, data.buffer_paths, msg.buffers);
      this.onChange();
    }
    this.broadcast(WIDGET_KINDS.msg, {
      comm_id: id,
      msg_id: msg.header.msg_id,
      parent_msg_id: msg.parent_header.msg_id ?? "",
      data,
      buffers: msg.buffers,
    });
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
    if (!revived.length) return;
    for (const link of this.links) {
      if (link.port.live) link.port.post(WIDGET_KINDS.live, { models: revived });
    }
  }

  private output(msg: KernelMessage): void {
    const parent = msg.parent_header.msg_id;
    const target = this.store.capturer(parent);
    const model = target ? this.store.get(target) : undefined;
    if (target && model) {
      // A display update also reaches the cell's displays with that id.
      if (msg.header.msg_type !== "update_display_data") this.captured.add(msg);
      const outputs = this.captures.apply(target, model.state["outputs"], msg);
      this.setState(target, { outputs });
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
    if (this.store.get(id)?.live) this.toKernel("comm_msg", { comm_id: id, data }, msgId);
    this.broadcast(WIDGET_KINDS.msg, { comm_id: id, msg_id: msgId, parent_msg_id: "", data });
    this.onChange();
  }

  private fromFrame(link: Link, m: Msg): void {
    const id = String(m["comm_id"]);
    const msgId = String(m["msg_id"]);
    const data = (m["data"] ?? {}) as CommData;
    const buffers = (m["buffers"] as ArrayBuffer[] | undefined) ?? [];
    const model = this.store.get(id);
    if (!model) return;
    if (data.method === "update") {
      this.store.update(id, data.state ?? {}, data.buffer_paths, buffers);
      this.broadcast(WIDGET_KINDS.msg, { comm_id: id, msg_id: msgId, data, buffers }, link);
      if (model.live) this.onChange();
    }
    if (model.live && this.kernel && link.port.live) {
      this.origins.set(msgId, link);
      this.toKernel(
        "comm_msg",
        { comm_id: id, data: data as Record<string, unknown> },
        msgId,
        buffers,
      );
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
    this.store.open(id, data.state ?? {}, data.buffer_paths, buffers, live);
    if (!live) return;
    this.origins.set(String(m["msg_id"]), link);
    const content = {
      comm_id: id,
      target_name: String(m["target_name"] ?? TARGET),
      data,
      metadata: { version: PROTOCOL_VERSION },
    };
    this.toKernel("comm_open", content, String(m["msg_id"]), buffers);
  }
}
