import { describe, expect, it } from "vitest";

import { loadNotebook, newCodeCell, OutputAccumulator, saveNotebook } from "../src/model";
import { makeMessage } from "../src/wire";

const NB = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { colab: { provenance: [] }, custom: 1 },
  cells: [
    {
      id: "a1",
      cell_type: "code",
      source: ["x = 1\n", "print(x)"],
      metadata: { cellView: "form" },
      outputs: [{ output_type: "stream", name: "stdout", text: ["1\n"] }],
      execution_count: 3,
    },
    { id: "m1", cell_type: "markdown", source: "# Title", metadata: {}, attachments: {} },
  ],
};

// A notebook already in the shape the model writes (string sources and texts): it
// must come back exactly, including fields the model knows nothing about.
const CANONICAL = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {
    kernelspec: { name: "python3", display_name: "Python 3" },
    accelerator: "GPU",
    colab: { provenance: [], toc_visible: true },
    "x-unknown": { nested: [1, "two", null] },
  },
  "x-top-level": "kept",
  cells: [
    {
      id: "c1",
      cell_type: "code",
      source: "import matplotlib.pyplot as plt\nplt.plot([1])",
      metadata: { id: "colab-id", colab: { base_uri: "https://localhost:8080/" }, tags: ["a"] },
      outputs: [
        { output_type: "execute_result", execution_count: 1, data: { "text/plain": "[<Line2D>]" }, metadata: {} },
        { output_type: "display_data", data: { "image/png": "iVBORw0KGgo=", "text/plain": "<Figure>" }, metadata: { needs_background: "light" } },
        { output_type: "error", ename: "E", evalue: "v", traceback: ["\u001b[31mE\u001b[0m: v"] },
        { output_type: "stream", name: "stderr", text: "warning\n" },
      ],
      execution_count: 1,
    },
    { id: "r1", cell_type: "raw", source: "raw text", metadata: { format: "text/plain" } },
    { id: "m1", cell_type: "markdown", source: "![x](attachment:x.png)", metadata: {}, attachments: { "x.png": { "image/png": "AAAA" } } },
  ],
};

function iopub(type: string, content: Record<string, unknown>) {
  return makeMessage(type, content, "s", "iopub");
}

describe("notebook model", () => {
  it("gives back exactly what it loaded, unknown fields and metadata included", () => {
    expect(saveNotebook(loadNotebook(structuredClone(CANONICAL)))).toEqual(CANONICAL);
  });

  it("joins multi-line sources and texts and keeps everything else", () => {
    const saved = saveNotebook(loadNotebook(structuredClone(NB)));
    expect(saved["metadata"]).toEqual(NB.metadata);
    expect(saved["nbformat"]).toBe(4);
    expect(saved["nbformat_minor"]).toBe(5);
    const cells = saved["cells"] as Record<string, unknown>[];
    expect(cells[0]!["source"]).toBe("x = 1\nprint(x)");
    expect(cells[0]!["metadata"]).toEqual({ cellView: "form" });
    expect(cells[0]!["execution_count"]).toBe(3);
    expect(cells[0]!["outputs"]).toEqual([{ output_type: "stream", name: "stdout", text: "1\n" }]);
    expect(cells[1]).toEqual({
      id: "m1",
      cell_type: "markdown",
      source: "# Title",
      metadata: {},
      attachments: {},
    });
  });

  it("gives cells without an id one, and new code cells the nbformat fields", () => {
    const nb = loadNotebook({ nbformat: 4, nbformat_minor: 4, metadata: {}, cells: [{ cell_type: "code", source: "", metadata: {}, outputs: [], execution_count: null }] });
    expect(nb.cells[0]!.id).toMatch(/^[0-9a-f]{16}$/);
    nb.cells.push(newCodeCell("1+1"));
    const cells = saveNotebook(nb)["cells"] as Record<string, unknown>[];
    expect(cells[1]).toEqual({ id: nb.cells[1]!.id, cell_type: "code", source: "1+1", metadata: {}, outputs: [], execution_count: null });
  });

  it("coalesces streams and honours clear_output(wait=True) and display updates", () => {
    const nb = loadNotebook(structuredClone(NB));
    const cell = nb.cells[0]!;
    cell.outputs = [];
    const acc = new OutputAccumulator(cell);
    acc.add(iopub("execute_input", { execution_count: 7 }));
    acc.add(iopub("stream", { name: "stdout", text: "a" }));
    acc.add(iopub("stream", { name: "stdout", text: "b\n" }));
    acc.add(iopub("display_data", { data: { "text/plain": "v1" }, transient: { display_id: "d" } }));
    acc.add(iopub("update_display_data", { data: { "text/plain": "v2" }, transient: { display_id: "d" } }));
    expect(cell.execution_count).toBe(7);
    expect(cell.outputs.map((o) => o["text"] ?? (o["data"] as Record<string, string>)["text/plain"]))
      .toEqual(["ab\n", "v2"]);
    acc.add(iopub("clear_output", { wait: true }));
    expect(cell.outputs.length).toBe(2);
    acc.add(iopub("stream", { name: "stdout", text: "fresh" }));
    expect(cell.outputs).toEqual([{ output_type: "stream", name: "stdout", text: "fresh" }]);
    const saved = saveNotebook(nb)["cells"] as Record<string, unknown>[];
    expect(JSON.stringify(saved)).not.toContain("_display_id");
  });

  it("records errors and execute results as nbformat outputs", () => {
    const cell = newCodeCell("1/0");
    const acc = new OutputAccumulator(cell);
    acc.add(iopub("stream", { name: "stderr", text: "warn\n" }));
    acc.add(iopub("stream", { name: "stdout", text: "out\n" }));
    acc.add(iopub("execute_result", { execution_count: 2, data: { "text/plain": "2" }, metadata: {} }));
    acc.add(iopub("error", { ename: "ZeroDivisionError", evalue: "division by zero", traceback: ["tb"] }));
    acc.add(iopub("status", { execution_state: "idle" }));
    acc.add(iopub("clear_output", { wait: false }));
    expect(cell.outputs).toEqual([]);
    acc.add(iopub("error", { ename: "ZeroDivisionError", evalue: "division by zero", traceback: ["tb"] }));
    expect(cell.outputs).toEqual([
      { output_type: "error", ename: "ZeroDivisionError", evalue: "division by zero", traceback: ["tb"] },
    ]);
  });
});
