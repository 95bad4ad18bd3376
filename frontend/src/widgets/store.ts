// The page's copy of every widget model: the latest state the kernel (or a frame) sent,
// so that any output frame can render a view of any model, and so the state can be
// saved with the notebook. Pure: no DOM, no kernel.
import { VIEW_MIME } from "./protocol";

export type BufferPath = (string | number)[];

export interface WidgetBuffer {
  path: BufferPath;
  data: ArrayBuffer;
}

/** One model, as the kernel describes it; also what a frame gets to build its copy. */
export interface ModelSnapshot {
  model_id: string;
  model_name: string;
  model_module: string;
  model_module_version: string;
  /** JSON state without the binary parts, which are in `buffers` by path. */
  state: Record<string, unknown>;
  buffers: WidgetBuffer[];
  /** Backed by a kernel comm in this page session (else rendered from saved state). */
  live: boolean;
}

const REF = "IPY_MODEL_";
const LINKS = new Set(["LinkModel", "DirectionalLinkModel"]);

function refs(value: unknown, out: string[]): void {
  if (typeof value === "string") {
    if (value.startsWith(REF)) out.push(value.slice(REF.length));
  } else if (Array.isArray(value)) {
    for (const v of value) refs(v, out);
  } else if (value && typeof value === "object") {
    // A widget shown inside an Output widget: its view output names the model.
    const view = (value as Record<string, { model_id?: unknown } | undefined>)[VIEW_MIME];
    if (typeof view?.model_id === "string") out.push(view.model_id);
    for (const v of Object.values(value)) refs(v, out);
  }
}

function asBuffer(b: ArrayBuffer | ArrayBufferView): ArrayBuffer {
  if (b instanceof ArrayBuffer) return b;
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength).slice().buffer;
}

function sameTop(path: BufferPath, keys: Set<string>): boolean {
  return keys.has(String(path[0]));
}

export class WidgetStore {
  private models = new Map<string, ModelSnapshot>();
  // Output widgets inside `with out:`: parent msg_id -> model id, the latest set wins.
  private captures = new Map<string, string>();

  get(id: string): ModelSnapshot | undefined {
    return this.models.get(id);
  }

  ids(): string[] {
    return [...this.models.keys()];
  }

  /** A model created by the kernel (comm_open on target jupyter.widget) or restored. */
  open(
    id: string,
    state: Record<string, unknown>,
    bufferPaths: BufferPath[] = [],
    buffers: (ArrayBuffer | ArrayBufferView)[] = [],
    live = true,
  ): ModelSnapshot {
    const model: ModelSnapshot = {
      model_id: id,
      model_name: String(state["_model_name"] ?? ""),
      model_module: String(state["_model_module"] ?? ""),
      model_module_version: String(state["_model_module_version"] ?? ""),
      state: {},
      buffers: [],
      live,
    };
    this.models.set(id, model);
    this.update(id, state, bufferPaths, buffers);
    return model;
  }

  /** Applies a partial state (an `update` or `echo_update`). Unknown ids are ignored. */
  update(
    id: string,
    state: Record<string, unknown>,
    bufferPaths: BufferPath[] = [],
    buffers: (ArrayBuffer | ArrayBufferView)[] = [],
  ): boolean {
    const model = this.models.get(id);
    if (!model) return false;
    const keys = new Set([...Object.keys(state), ...bufferPaths.map((p) => String(p[0]))]);
    Object.assign(model.state, state);
    if ("msg_id" in state && model.model_module === "@jupyter-widgets/output") {
      this.dropCaptures(id);
      const msgId = state["msg_id"];
      if (typeof msgId === "string" && msgId) this.captures.set(msgId, id);
    }
    model.buffers = model.buffers.filter((b) => !sameTop(b.path, keys));
    bufferPaths.forEach((path, i) => {
      const data = buffers[i];
      if (data) model.buffers.push({ path: [...path], data: asBuffer(data) });
    });
    return true;
  }

  close(id: string): void {
    this.models.delete(id);
    this.dropCaptures(id);
  }

  private dropCaptures(id: string): void {
    for (const [msgId, owner] of this.captures) if (owner === id) this.captures.delete(msgId);
  }

  /** After a kernel restart or a new runtime: every model is only saved state now. */
  markDead(): void {
    for (const m of this.models.values()) m.live = false;
  }

  /** The models `ids` refer to, transitively (children, layouts, styles), known ones
   * only, and the jslink models that tie any of them to something (they have no view,
   * but a frame must hold them for the link to work there). */
  closure(ids: Iterable<string>): ModelSnapshot[] {
    const seen = new Map<string, ModelSnapshot>();
    const todo = [...ids];
    const links = [...this.models.values()].filter((m) => LINKS.has(m.model_name));
    while (todo.length) {
      while (todo.length) {
        const id = todo.pop()!;
        const model = this.models.get(id);
        if (!model || seen.has(id)) continue;
        seen.set(id, model);
        refs(model.state, todo);
      }
      for (const link of links) {
        if (seen.has(link.model_id)) continue;
        const ends: string[] = [];
        refs(link.state, ends);
        if (ends.some((id) => seen.has(id))) todo.push(link.model_id);
      }
    }
    return [...seen.values()];
  }

  /** The Output model that takes the outputs of messages whose parent is `msgId`. */
  capturer(msgId: string | undefined): string | undefined {
    return msgId ? this.captures.get(msgId) : undefined;
  }
}
