import { describe, expect, it } from "vitest";

import { loadNotebook, OutputAccumulator, saveNotebook } from "../src/model";
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

function iopub(type: string, content: Record<string, unknown>) {
  return makeMessage(type, content, "s", "iopub");
}

describe("notebook model", () => {
  it("keeps unknown fields and metadata through load and save", () => {
    const saved = saveNotebook(loadNotebook(structuredClone(NB)));
    expect(saved["metadata"]).toEqual(NB.metadata);
    const cells = saved["cells"] as Record<string, unknown>[];
    expect(cells[0]!["source"]).toBe("x = 1\nprint(x)");
    expect(cells[0]!["metadata"]).toEqual({ cellView: "form" });
    expect(cells[0]!["outputs"]).toEqual([{ output_type: "stream", name: "stdout", text: "1\n" }]);
    expect(cells[1]).toEqual({
      id: "m1",
      cell_type: "markdown",
      source: "# Title",
      metadata: {},
      attachments: {},
    });
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
});
