import { describe, expect, it } from "vitest";

import type { KernelClient } from "../src/kernel";
import type { Cell } from "../src/model";
import { OutputCaptures } from "../src/widgets/capture";
import { STATE_MIME, VIEW_MIME, WIDGET_KINDS } from "../src/widgets/protocol";
import { type FramePort, WidgetRouter } from "../src/widgets/router";
import { loadWidgetState, viewedModelIds, widgetStateDoc, withWidgetState } from "../src/widgets/saved";
import { WidgetStore } from "../src/widgets/store";
import { type KernelMessage, makeMessage } from "../src/wire";

const SLIDER = {
  _model_name: "IntSliderModel",
  _model_module: "@jupyter-widgets/controls",
  _model_module_version: "2.0.0",
  value: 3,
  layout: "IPY_MODEL_lay",
  style: "IPY_MODEL_sty",
};
const LAYOUT = {
  _model_name: "LayoutModel",
  _model_module: "@jupyter-widgets/base",
  _model_module_version: "2.0.0",
};
const OUTPUT = {
  _model_name: "OutputModel",
  _model_module: "@jupyter-widgets/output",
  _model_module_version: "1.0.0",
  msg_id: "",
  outputs: [],
};

function iopub(type: string, content: Record<string, unknown>, parent = ""): KernelMessage {
  const msg = makeMessage(type, content, "k", "iopub");
  msg.parent_header = { msg_id: parent };
  return msg;
}

function cellWith(modelId: string): Cell {
  return {
    id: "c1",
    cell_type: "code",
    source: "",
    metadata: {},
    execution_count: 1,
    extra: {},
    outputs: [
      {
        output_type: "display_data",
        data: { [VIEW_MIME]: { model_id: modelId, version_major: 2 }, "text/plain": "x" },
        metadata: {},
      },
    ],
  };
}

describe("widget store", () => {
  it("keeps the latest state and replaces buffers of updated keys only", () => {
    const store = new WidgetStore();
    const a = new Uint8Array([1, 2]).buffer;
    store.open("m", { ...SLIDER, data: null, other: null }, [["data"], ["other", 0]], [a, a]);
    store.update("m", { value: 7 }, [["data"]], [new Uint8Array([9]).buffer]);
    const m = store.get("m")!;
    expect(m.model_name).toBe("IntSliderModel");
    expect(m.state["value"]).toBe(7);
    expect(m.live).toBe(true);
    expect(m.buffers.map((b) => [b.path, [...new Uint8Array(b.data)]])).toEqual([
      [["other", 0], [1, 2]],
      [["data"], [9]],
    ]);
    expect(store.update("unknown", { value: 1 })).toBe(false);
  });

  it("finds what a view needs through IPY_MODEL_ references, known models only", () => {
    const store = new WidgetStore();
    store.open("box", { children: ["IPY_MODEL_m", "IPY_MODEL_gone"] });
    store.open("m", SLIDER);
    store.open("lay", LAYOUT);
    store.open("unrelated", LAYOUT);
    expect(store.closure(["box"]).map((m) => m.model_id).sort()).toEqual(["box", "lay", "m"]);
    const shown = { output_type: "display_data", data: { [VIEW_MIME]: { model_id: "m" } } };
    store.open("out", { ...OUTPUT, outputs: [shown] });
    expect(store.closure(["out"]).map((m) => m.model_id)).toContain("m");
  });

  it("brings along the jslink models tied to what a view shows, and their other ends", () => {
    const store = new WidgetStore();
    store.open("a", SLIDER);
    store.open("b", { ...SLIDER, layout: "", style: "" });
    store.open("link", {
      _model_name: "LinkModel",
      _model_module: "@jupyter-widgets/controls",
      source: ["IPY_MODEL_a", "value"],
      target: ["IPY_MODEL_b", "value"],
    });
    store.open("c", { ...SLIDER, layout: "", style: "" });
    expect(store.closure(["a"]).map((m) => m.model_id).sort()).toEqual(["a", "b", "link"]);
    expect(store.closure(["c"]).map((m) => m.model_id)).toEqual(["c"]);
  });

  it("tracks which Output widget captures a message, latest wins, cleared on ''", () => {
    const store = new WidgetStore();
    store.open("o1", OUTPUT);
    store.open("o2", OUTPUT);
    store.update("o1", { msg_id: "exec1" });
    store.update("o2", { msg_id: "exec1" });
    expect(store.capturer("exec1")).toBe("o2");
    store.update("o2", { msg_id: "" });
    expect(store.capturer("exec1")).toBeUndefined();
    store.update("o1", { msg_id: "exec2" });
    store.close("o1");
    expect(store.capturer("exec2")).toBeUndefined();
  });
});

describe("saved widget state", () => {
  it("saves the models the outputs show and loads them back, buffers included", () => {
    const store = new WidgetStore();
    store.open("m", { ...SLIDER, raw: null }, [["raw"]], [new Uint8Array([0, 255, 7]).buffer]);
    store.open("lay", LAYOUT);
    store.open("not-shown", LAYOUT);
    const cells = [cellWith("m")];
    expect(viewedModelIds(cells)).toEqual(["m"]);
    const doc = widgetStateDoc(store, viewedModelIds(cells));
    expect(doc.version_major).toBe(2);
    expect(Object.keys(doc.state).sort()).toEqual(["lay", "m"]);
    expect(doc.state["m"]!.buffers).toEqual([{ path: ["raw"], data: "AP8H", encoding: "base64" }]);

    const json = withWidgetState({ metadata: { kernelspec: { name: "python3" } }, cells: [] }, doc);
    const saved = JSON.parse(JSON.stringify(json)) as Record<string, unknown>;
    expect((saved["metadata"] as Record<string, unknown>)["kernelspec"]).toEqual({ name: "python3" });

    const back = new WidgetStore();
    expect(loadWidgetState(back, saved["metadata"])).toBe(2);
    const m = back.get("m")!;
    expect(m.live).toBe(false);
    expect(m.state["value"]).toBe(3);
    expect([...new Uint8Array(m.buffers[0]!.data)]).toEqual([0, 255, 7]);
  });

  it("drops the state when nothing is shown, keeps other widget metadata", () => {
    const empty = widgetStateDoc(new WidgetStore(), []);
    const json = withWidgetState(
      { metadata: { widgets: { [STATE_MIME]: { state: {} }, other: 1 } } },
      empty,
    );
    expect(json["metadata"]).toEqual({ widgets: { other: 1 } });
    expect(withWidgetState({ metadata: {} }, empty)["metadata"]).toEqual({});
  });

  it("reads Colab's saved state: the model map without the version wrapper", () => {
    const store = new WidgetStore();
    const metadata = {
      widgets: {
        [STATE_MIME]: {
          abc: { model_name: "HTMLModel", model_module: "@jupyter-widgets/controls", model_module_version: "1.5.0", state: { value: "Downloading: 100%" } },
          lay: { model_name: "LayoutModel", model_module: "@jupyter-widgets/base", model_module_version: "1.2.0", state: {} },
        },
      },
    };
    expect(loadWidgetState(store, metadata)).toBe(2);
    expect(store.get("abc")!.state["value"]).toBe("Downloading: 100%");
    expect(store.get("abc")!.model_module_version).toBe("1.5.0");
  });

  it("skips malformed saved entries", () => {
    const store = new WidgetStore();
    const metadata = {
      widgets: {
        [STATE_MIME]: {
          state: {
            ok: { model_name: "LayoutModel", model_module: "@jupyter-widgets/base", state: {} },
            noName: { model_module: "x", state: {} },
            noState: { model_name: "A", model_module: "x" },
            badBuffer: {
              ...{ model_name: "A", model_module: "x", state: {} },
              buffers: [{ path: ["a"], data: "%%%", encoding: "base64" }],
            },
          },
        },
      },
    };
    expect(loadWidgetState(store, metadata)).toBe(1);
    expect(store.ids()).toEqual(["ok"]);
    expect(loadWidgetState(store, null)).toBe(0);
    expect(loadWidgetState(store, { widgets: { [STATE_MIME]: "nope" } })).toBe(0);
  });
});

describe("output capture", () => {
  it("merges streams and honours clear_output(wait=True)", () => {
    const cap = new OutputCaptures();
    let outputs: unknown = [];
    const add = (type: string, content: Record<string, unknown>) =>
      (outputs = cap.apply("o", outputs, iopub(type, content)));
    add("stream", { name: "stdout", text: "a" });
    add("stream", { name: "stdout", text: "b\n" });
    expect(outputs).toEqual([{ output_type: "stream", name: "stdout", text: "ab\n" }]);
    add("clear_output", { wait: true });
    expect(outputs).toHaveLength(1);
    add("display_data", { data: { "text/plain": "x" }, metadata: {} });
    expect(outputs).toEqual([{ output_type: "display_data", data: { "text/plain": "x" }, metadata: {} }]);
  });

  it("starts from outputs the kernel set (append_stdout) rather than its own copy", () => {
    const cap = new OutputCaptures();
    const first = cap.apply("o", [], iopub("stream", { name: "stdout", text: "a" }));
    expect(first).toHaveLength(1);
    const fromKernel = [{ output_type: "stream", name: "stderr", text: "k" }];
    const next = cap.apply("o", fromKernel, iopub("stream", { name: "stdout", text: "b" }));
    expect(next.map((o) => o["text"])).toEqual(["k", "b"]);
  });
});

class FakeKernel {
  session = "s";
  sent: KernelMessage[] = [];
  private fns = new Set<(m: KernelMessage) => void>();
  subscribe(fn: (m: KernelMessage) => void): () => void {
    this.fns.add(fn);
    return () => this.fns.delete(fn);
  }
  sendMessage(msg: KernelMessage): void {
    this.sent.push(msg);
  }
  emit(msg: KernelMessage): void {
    for (const fn of this.fns) fn(msg);
  }
}

class FakeFrame implements FramePort {
  constructor(readonly live = true) {}
  got: { kind: string; [k: string]: unknown }[] = [];
  private fns = new Map<string, (m: { kind: string; [k: string]: unknown }) => void>();
  post(kind: string, payload: Record<string, unknown>): void {
    this.got.push({ ...payload, kind });
  }
  on(kind: string, fn: (m: { kind: string; [k: string]: unknown }) => void): void {
    this.fns.set(kind, fn);
  }
  send(kind: string, payload: Record<string, unknown>): void {
    this.fns.get(kind)?.({ ...payload, kind });
  }
}

describe("widget router", () => {
  function setup() {
    const kernel = new FakeKernel();
    const router = new WidgetRouter();
    router.attachKernel(kernel as unknown as KernelClient);
    const a = new FakeFrame();
    const b = new FakeFrame();
    router.addFrame(a, "cellA");
    router.addFrame(b, "cellB");
    const open = (id: string, state: Record<string, unknown>) =>
      kernel.emit(iopub("comm_open", { comm_id: id, target_name: "jupyter.widget", data: { state } }));
    return { kernel, router, a, b, open };
  }

  it("marks the notebook changed for a user's action, not for the kernel's own updates", () => {
    const { kernel, router, a, open } = setup();
    let changes = 0;
    router.onChange = () => changes++;
    open("m", SLIDER);
    kernel.emit(iopub("comm_msg", { comm_id: "m", data: { method: "update", state: { value: 4 } } }));
    expect(changes).toBe(0);
    a.send(WIDGET_KINDS.need, { req: 1, ids: ["m"] });
    const data = { method: "update", state: { value: 5 }, buffer_paths: [] };
    a.send(WIDGET_KINDS.send, { comm_id: "m", msg_id: "u", data });
    expect(changes).toBe(1);
  });

  it("asks a reconnected kernel for its models over the control comm", () => {
    const { kernel } = setup();
    expect(kernel.sent.map((m) => m.header.msg_type)).toEqual(["comm_open", "comm_msg"]);
    expect(kernel.sent[0]!.content["target_name"]).toBe("jupyter.widget.control");
    expect(kernel.sent[0]!.metadata).toEqual({ version: "1.0.0" });
    expect(kernel.sent[1]!.content["data"]).toEqual({ method: "request_states" });
  });

  it("gives a frame a model from another cell and relays its updates to kernel and frames", () => {
    const { kernel, router, a, b, open } = setup();
    open("m", SLIDER);
    open("lay", LAYOUT);
    open("other", LAYOUT);
    a.send(WIDGET_KINDS.need, { req: 1, ids: ["m"] });
    b.send(WIDGET_KINDS.need, { req: 1, ids: ["m"] });
    const reply = b.got.find((g) => g.kind === WIDGET_KINDS.models)!;
    expect((reply["models"] as { model_id: string }[]).map((m) => m.model_id).sort()).toEqual([
      "lay",
      "m",
    ]);
    kernel.sent.length = 0;
    const data = { method: "update", state: { value: 9 }, buffer_paths: [] };
    b.send(WIDGET_KINDS.send, { comm_id: "m", msg_id: "u1", data, buffers: [] });
    expect(kernel.sent[0]!.header.msg_id).toBe("u1");
    expect(kernel.sent[0]!.content).toEqual({ comm_id: "m", data });
    expect(router.store.get("m")!.state["value"]).toBe(9);
    expect(a.got.some((g) => g.kind === WIDGET_KINDS.msg && g["comm_id"] === "m")).toBe(true);
    expect(b.got.some((g) => g.kind === WIDGET_KINDS.msg)).toBe(false);
    // Frames hear only of the models they show.
    kernel.emit(iopub("comm_msg", { comm_id: "other", data: { method: "update", state: {} } }));
    expect(a.got.some((g) => g["comm_id"] === "other")).toBe(false);
    // The kernel's status for that message goes back to the frame that sent it.
    kernel.emit(iopub("status", { execution_state: "idle" }, "u1"));
    expect(b.got.at(-1)).toMatchObject({ kind: WIDGET_KINDS.status, msg_id: "u1" });
  });

  it("diverts outputs of a `with out:` block into the Output widget", () => {
    const { kernel, router, a, open } = setup();
    open("o", OUTPUT);
    a.send(WIDGET_KINDS.need, { req: 1, ids: ["o"] });
    const echo = iopub("comm_msg", { comm_id: "o", data: { method: "update", state: { msg_id: "click" } } });
    kernel.emit(echo);
    const printed = iopub("stream", { name: "stdout", text: "clicked\n" }, "click");
    kernel.emit(printed);
    expect(router.isCaptured(printed)).toBe(true);
    expect(router.store.get("o")!.state["outputs"]).toEqual([
      { output_type: "stream", name: "stdout", text: "clicked\n" },
    ]);
    const toKernel = kernel.sent.at(-1)!;
    expect(toKernel.content["data"]).toMatchObject({ method: "update", state: { outputs: [{ text: "clicked\n" }] } });
    expect(a.got.at(-1)).toMatchObject({ kind: WIDGET_KINDS.msg, comm_id: "o" });
    const elsewhere = iopub("stream", { name: "stdout", text: "x" }, "other");
    kernel.emit(elsewhere);
    expect(router.isCaptured(elsewhere)).toBe(false);
  });

  it("drops the kernel's echoes of outputs it sent, so prints never go backwards", () => {
    const { kernel, router, a, open } = setup();
    open("o", OUTPUT);
    a.send(WIDGET_KINDS.need, { req: 1, ids: ["o"] });
    kernel.emit(iopub("comm_msg", { comm_id: "o", data: { method: "update", state: { msg_id: "run" } } }));
    kernel.sent.length = 0;
    kernel.emit(iopub("stream", { name: "stdout", text: "1\n" }, "run"));
    kernel.emit(iopub("stream", { name: "stderr", text: "2\n" }, "run"));
    const [first, second] = kernel.sent.map((m) => m.header.msg_id);
    const echo = (parent: string, text: string) =>
      iopub(
        "comm_msg",
        {
          comm_id: "o",
          data: { method: "echo_update", state: { outputs: [{ output_type: "stream", text }] } },
        },
        parent,
      );
    a.got.length = 0;
    kernel.emit(echo(first!, "1\n"));
    kernel.emit(iopub("stream", { name: "stdout", text: "3\n" }, "run"));
    kernel.emit(echo(second!, "stale"));
    const texts = (router.store.get("o")!.state["outputs"] as { text: string }[]).map((o) => o.text);
    expect(texts).toEqual(["1\n", "2\n", "3\n"]);
    expect(a.got.every((g) => !JSON.stringify(g).includes("stale"))).toBe(true);
  });

  it("sends nothing for clear_output(wait=True) until the next output replaces the old", () => {
    const { kernel, router, open } = setup();
    open("o", OUTPUT);
    kernel.emit(iopub("comm_msg", { comm_id: "o", data: { method: "update", state: { msg_id: "r" } } }));
    kernel.emit(iopub("stream", { name: "stdout", text: "old" }, "r"));
    kernel.sent.length = 0;
    kernel.emit(iopub("clear_output", { wait: true }, "r"));
    expect(kernel.sent).toEqual([]);
    kernel.emit(iopub("stream", { name: "stdout", text: "new" }, "r"));
    const outputs = router.store.get("o")!.state["outputs"] as { text: string }[];
    expect(outputs.map((o) => o.text)).toEqual(["new"]);
    expect(kernel.sent).toHaveLength(1);
  });

  it("ignores a frame's messages for models it was never given", () => {
    const { kernel, router, b, open } = setup();
    open("m", SLIDER);
    kernel.sent.length = 0;
    const data = { method: "update", state: { value: 1 }, buffer_paths: [] };
    b.send(WIDGET_KINDS.send, { comm_id: "m", msg_id: "u", data });
    b.send(WIDGET_KINDS.close, { comm_id: "m" });
    b.send(WIDGET_KINDS.open, { comm_id: "m", msg_id: "o", data: { state: LAYOUT } });
    expect(kernel.sent).toEqual([]);
    expect(router.store.get("m")!.state["value"]).toBe(3);
    expect(router.store.get("m")!.model_name).toBe("IntSliderModel");
  });

  it("shows a callback's uncaptured output in the cell of the frame that sent the event", () => {
    const { kernel, router, b, open } = setup();
    const seen: string[] = [];
    router.onCallbackOutput = (cellId) => seen.push(cellId);
    open("btn", { _model_name: "ButtonModel", _model_module: "@jupyter-widgets/controls" });
    b.send(WIDGET_KINDS.need, { req: 1, ids: ["btn"] });
    b.send(WIDGET_KINDS.send, { comm_id: "btn", msg_id: "c1", data: { method: "custom", content: { event: "click" } } });
    kernel.emit(iopub("stream", { name: "stdout", text: "hi" }, "c1"));
    expect(seen).toEqual(["cellB"]);
  });

  it("never lets a frame of a cell not run in this session reach the kernel", () => {
    const { kernel, router, a, open } = setup();
    const saved = new FakeFrame(false);
    router.addFrame(saved, "old");
    open("m", SLIDER);
    saved.send(WIDGET_KINDS.need, { req: 1, ids: ["m"] });
    kernel.sent.length = 0;
    a.got.length = 0;
    const data = { method: "update", state: { value: 8 }, buffer_paths: [] };
    saved.send(WIDGET_KINDS.send, { comm_id: "m", msg_id: "x", data });
    saved.send(WIDGET_KINDS.close, { comm_id: "m" });
    expect(kernel.sent).toEqual([]);
    expect(a.got).toEqual([]);
    expect(router.store.get("m")!.state["value"]).toBe(3);
    expect(saved.got.at(-1)).toMatchObject({ kind: WIDGET_KINDS.status, execution_state: "idle" });
    // It still follows the kernel.
    kernel.emit(iopub("comm_msg", { comm_id: "m", data: { method: "update", state: { value: 2 } } }));
    expect(saved.got.at(-1)).toMatchObject({ kind: WIDGET_KINDS.msg, comm_id: "m" });
  });

  it("keeps the frames' views of a saved-state model in step, without a kernel", () => {
    const router = new WidgetRouter();
    router.store.open("m", SLIDER, [], [], false);
    const a = new FakeFrame(false);
    const b = new FakeFrame(false);
    router.addFrame(a, "a");
    router.addFrame(b, "b");
    a.send(WIDGET_KINDS.need, { req: 1, ids: ["m"] });
    b.send(WIDGET_KINDS.need, { req: 1, ids: ["m"] });
    const data = { method: "update", state: { value: 6 }, buffer_paths: [] };
    a.send(WIDGET_KINDS.send, { comm_id: "m", msg_id: "x", data });
    expect(router.store.get("m")!.state["value"]).toBe(6);
    expect(b.got.at(-1)).toMatchObject({ kind: WIDGET_KINDS.msg, comm_id: "m" });
  });

  it("restores live models from update_states and marks saved ones dead on restart", () => {
    const { kernel, router, a } = setup();
    router.store.open("m", SLIDER, [], [], false); // shown from saved state
    a.send(WIDGET_KINDS.need, { req: 1, ids: ["m"] });
    const control = String(kernel.sent[0]!.content["comm_id"]);
    const reply = iopub("comm_msg", {
      comm_id: control,
      data: {
        method: "update_states",
        states: { m: { ...{ model_name: "IntSliderModel" }, state: { ...SLIDER, raw: null } } },
        buffer_paths: [["m", "state", "raw"]],
      },
    });
    reply.buffers = [new Uint8Array([5]).buffer];
    kernel.emit(reply);
    const m = router.store.get("m")!;
    expect(m.live).toBe(true);
    expect(m.buffers[0]!.path).toEqual(["raw"]);
    expect(a.got.at(-1)).toMatchObject({ kind: WIDGET_KINDS.msg, comm_id: "m" });
    kernel.emit(iopub("status", { execution_state: "restarting" }));
    expect(router.store.get("m")!.live).toBe(false);
  });
});
