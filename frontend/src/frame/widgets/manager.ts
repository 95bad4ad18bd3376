// The widget manager of one output frame: @jupyter-widgets/html-manager whose models are
// built from the page's copy of the kernel state and whose comms go through the page.
// Only the bundled base/controls/output modules load: nothing is fetched from a CDN.
import { type DOMWidgetView, put_buffers, type WidgetModel } from "@jupyter-widgets/base";
import { HTMLManager } from "@jupyter-widgets/html-manager/lib/htmlmanager";

import { type ModelSnapshot, WIDGET_KINDS } from "../../widgets/protocol";
import { CommHub, type Transport } from "./comm";
import { BridgeOutputModel } from "./output";

function noLoader(name: string, version: string): Promise<never> {
  return Promise.reject(new Error(`Widget module ${name}@${version} is not available`));
}

/** Waits (a few frames at most) until `el` is in the document: Lumino attaches only there. */
async function connected(el: HTMLElement): Promise<void> {
  for (let i = 0; i < 100 && !el.isConnected; i++) {
    await new Promise((r) => requestAnimationFrame(r));
  }
}

export class BridgeManager extends HTMLManager {
  private hub: CommHub;
  private nextReq = 1;
  private waiting = new Map<number, (models: ModelSnapshot[]) => void>();
  private loading = new Map<string, Promise<void>>();

  constructor(private transport: Transport) {
    super({ loader: noLoader });
    this.hub = new CommHub(transport);
    transport.on(WIDGET_KINDS.models, (msg) => {
      const req = Number(msg["req"]);
      const done = this.waiting.get(req);
      this.waiting.delete(req);
      done?.((msg["models"] as ModelSnapshot[] | undefined) ?? []);
    });
  }

  /** Renders a view of the model `data.model_id` into `el`. */
  async render(data: { model_id?: unknown }, el: HTMLElement): Promise<void> {
    const id = typeof data.model_id === "string" ? data.model_id : "";
    let model: WidgetModel;
    try {
      model = await this.get_model(id);
    } catch {
      const note = document.createElement("pre");
      note.className = "output-text widget-missing";
      note.textContent = "This widget's state is not available: run the cell again.";
      el.append(note);
      return;
    }
    const view = await this.create_view<DOMWidgetView>(model, {});
    await connected(el);
    await this.display_view(view, el);
  }

  protected override loadClass(
    className: string,
    moduleName: string,
    moduleVersion: string,
  ): ReturnType<HTMLManager["loadClass"]> {
    if (moduleName === "@jupyter-widgets/output" && className === "OutputModel") {
      return Promise.resolve(BridgeOutputModel);
    }
    // State saved by ipywidgets 7 (Colab's notebooks) renders with the version 8 classes:
    // the models and most fields are the same, and one widget CSS stays in the frame.
    const v7 = /^[~^]?1\./.test(moduleVersion);
    if (v7 && (moduleName === "@jupyter-widgets/base" || moduleName === "@jupyter-widgets/controls")) {
      moduleVersion = "2.0.0";
    }
    return super.loadClass(className, moduleName, moduleVersion);
  }

  override async get_model(modelId: string): Promise<WidgetModel> {
    if (!this.has_model(modelId)) await this.ensure(modelId);
    if (!this.has_model(modelId)) throw new Error(`widget model ${modelId} not found`);
    return super.get_model(modelId);
  }

  /** Asks the page for the model (and all it refers to) and builds the ones missing here. */
  private ensure(modelId: string): Promise<void> {
    let p = this.loading.get(modelId);
    if (!p) {
      p = this.request([modelId]).then((models) => this.build(models));
      this.loading.set(modelId, p);
      void p.finally(() => this.loading.delete(modelId));
    }
    return p;
  }

  private request(ids: string[]): Promise<ModelSnapshot[]> {
    const req = this.nextReq++;
    return new Promise((resolve) => {
      this.waiting.set(req, resolve);
      this.transport.send(WIDGET_KINDS.need, { req, ids });
    });
  }

  private async build(models: ModelSnapshot[]): Promise<void> {
    // All are registered before any deserialises, so references between them resolve here.
    const made = models
      .filter((m) => !this.has_model(m.model_id))
      .map((m) => {
        const state = structuredClone(m.state);
        put_buffers(
          state as never,
          m.buffers.map((b) => b.path),
          m.buffers.map((b) => b.data),
        );
        return this.new_model(
          {
            model_id: m.model_id,
            model_name: m.model_name,
            model_module: m.model_module,
            model_module_version: m.model_module_version,
            // Always a comm: the page decides what reaches the kernel (saved-state models
            // only keep the frames' views in step).
            comm: this.hub.comm(m.model_id),
          },
          state,
        );
      });
    await Promise.allSettled(made);
  }

  override async _create_comm(
    targetName: string,
    modelId?: string,
    data?: unknown,
    metadata?: unknown,
    buffers?: ArrayBuffer[] | ArrayBufferView[],
  ): Promise<never> {
    const comm = this.hub.comm(modelId ?? crypto.randomUUID().replace(/-/g, ""), targetName);
    comm.open(data ?? {}, undefined, metadata, buffers as ArrayBuffer[] | undefined);
    return comm as never;
  }

  override _get_comm_info(): Promise<Record<string, { target_name: string }>> {
    const req = this.nextReq++;
    return new Promise((resolve) => {
      const off = this.transport.on(WIDGET_KINDS.commInfo, (msg) => {
        if (Number(msg["req"]) !== req) return;
        off();
        resolve((msg["comms"] as Record<string, { target_name: string }>) ?? {});
      });
      this.transport.send(WIDGET_KINDS.commInfo, { req });
    });
  }
}
