// Widget state saved with the notebook (nbformat's
// metadata.widgets["application/vnd.jupyter.widget-state+json"], schema v2), so widgets
// still render from saved state when the notebook is opened without a runtime.
import type { Cell } from "../model";
import { STATE_MIME, VIEW_MIME } from "./protocol";
import type { BufferPath, WidgetStore } from "./store";

interface SavedModel {
  model_name: string;
  model_module: string;
  model_module_version: string;
  state: Record<string, unknown>;
  buffers?: { path: BufferPath; data: string; encoding: "base64" | "hex" }[];
}

export interface WidgetStateDoc {
  version_major: 2;
  version_minor: 0;
  state: Record<string, SavedModel>;
}

function toBase64(buf: ArrayBuffer): string {
  const bytes = new Uint8Array(buf);
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

function fromEncoded(data: string, encoding: string): ArrayBuffer {
  if (encoding === "hex") {
    const out = new Uint8Array(data.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(data.slice(2 * i, 2 * i + 2), 16);
    return out.buffer;
  }
  const bin = atob(data);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
}

/** Model ids of the widget views among the cells' outputs. */
export function viewedModelIds(cells: Cell[]): string[] {
  const ids: string[] = [];
  for (const cell of cells) {
    for (const out of cell.outputs) {
      const data = out["data"] as Record<string, unknown> | undefined;
      const view = data?.[VIEW_MIME] as { model_id?: unknown } | undefined;
      if (typeof view?.model_id === "string") ids.push(view.model_id);
    }
  }
  return ids;
}

/** The saved form of the models the outputs show (and what those refer to). */
export function widgetStateDoc(store: WidgetStore, viewed: string[]): WidgetStateDoc {
  const state: Record<string, SavedModel> = {};
  for (const m of store.closure(viewed)) {
    const saved: SavedModel = {
      model_name: m.model_name,
      model_module: m.model_module,
      model_module_version: m.model_module_version,
      state: m.state,
    };
    if (m.buffers.length) {
      saved.buffers = m.buffers.map((b) => ({
        path: b.path,
        data: toBase64(b.data),
        encoding: "base64",
      }));
    }
    state[m.model_id] = saved;
  }
  return { version_major: 2, version_minor: 0, state };
}

/** Puts (or removes, when nothing is shown) the widget state into a saved notebook. */
export function withWidgetState(
  json: Record<string, unknown>,
  doc: WidgetStateDoc,
): Record<string, unknown> {
  const metadata = { ...((json["metadata"] as Record<string, unknown>) ?? {}) };
  const widgets = { ...((metadata["widgets"] as Record<string, unknown>) ?? {}) };
  if (Object.keys(doc.state).length) widgets[STATE_MIME] = doc;
  else delete widgets[STATE_MIME];
  if (Object.keys(widgets).length) metadata["widgets"] = widgets;
  else delete metadata["widgets"];
  return { ...json, metadata };
}

/** Fills the store from a notebook's saved widget state (as not live); bad entries skipped. */
export function loadWidgetState(store: WidgetStore, metadata: unknown): number {
  const widgets = (metadata as { widgets?: Record<string, unknown> } | null)?.widgets;
  const doc = widgets?.[STATE_MIME] as { state?: unknown; version_major?: unknown } | undefined;
  if (!doc || typeof doc !== "object") return 0;
  // nbformat's shape is {version_major, version_minor, state: {id: model}}; Colab saves
  // the {id: model} map itself.
  const models = (
    "version_major" in doc || (typeof doc.state === "object" && doc.state && !("model_name" in doc.state))
      ? doc.state
      : doc
  ) as Record<string, unknown> | undefined;
  if (!models || typeof models !== "object") return 0;
  let n = 0;
  for (const [id, raw] of Object.entries(models)) {
    const m = raw as Partial<SavedModel> | null;
    if (!m || typeof m.model_name !== "string" || typeof m.model_module !== "string") continue;
    if (typeof m.state !== "object" || !m.state) continue;
    const state: Record<string, unknown> = {
      ...m.state,
      _model_name: m.model_name,
      _model_module: m.model_module,
      _model_module_version: m.model_module_version ?? "",
    };
    const buffers = Array.isArray(m.buffers) ? m.buffers : [];
    try {
      store.open(
        id,
        state,
        buffers.map((b) => b.path),
        buffers.map((b) => fromEncoded(String(b.data), String(b.encoding))),
        false,
      );
      n++;
    } catch {
      // A broken buffer encoding: leave the model out rather than fail the page.
    }
  }
  return n;
}
