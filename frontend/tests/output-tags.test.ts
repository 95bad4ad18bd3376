// Colab's output tags in the page's output model (docs/colab-protocol.md §6).
import { describe, expect, it } from "vitest";

import { type Cell, newCodeCell, OutputAccumulator, outputTags, saveNotebook } from "../src/model";
import { makeMessage } from "../src/wire";

function iopub(type: string, content: Record<string, unknown>) {
  return makeMessage(type, content, "s", "iopub");
}

const marker = (add: string[], remove: string[] = []) =>
  iopub("display_data", {
    data: {},
    metadata: { outputarea: { nodisplay: true, add_tags: add, remove_tags: remove } },
  });
const print = (text: string) => iopub("stream", { name: "stdout", text });
const html = (text: string) => iopub("display_data", { data: { "text/html": text }, metadata: {} });
const clear = (tags?: string[], wait = false) =>
  iopub("clear_output", tags ? { wait, output_tags: tags } : { wait });

function run(...msgs: ReturnType<typeof iopub>[]): Cell {
  const cell = newCodeCell();
  const acc = new OutputAccumulator(cell);
  for (const m of msgs) acc.add(m);
  return cell;
}

const texts = (cell: Cell) =>
  cell.outputs.map((o) =>
    o.output_type === "stream"
      ? String(o["text"])
      : String((o["data"] as Record<string, unknown>)["text/html"]),
  );

describe("output tags", () => {
  it("a marker is not an output; following outputs carry the active tags", () => {
    const cell = run(print("before\n"), marker(["a"]), print("in a\n"), html("<b>x</b>"));
    expect(texts(cell)).toEqual(["before\n", "in a\n", "<b>x</b>"]);
    expect(cell.outputs.map((o) => outputTags(o))).toEqual([[], ["a"], ["a"]]);
  });

  it("markers add and remove tags; nested contexts stack", () => {
    const cell = run(
      marker(["outer"]),
      print("1\n"),
      marker(["inner"]),
      print("2\n"),
      marker([], ["inner"]),
      print("3\n"),
      marker([], ["outer"]),
      print("4\n"),
    );
    expect(texts(cell)).toEqual(["1\n", "2\n", "3\n", "4\n"]);
    expect(cell.outputs.map((o) => [...outputTags(o)].sort())).toEqual([
      ["outer"],
      ["inner", "outer"],
      ["outer"],
      [],
    ]);
  });

  it("streams with different tags stay separate outputs", () => {
    const cell = run(print("a"), print("b"), marker(["t"]), print("c"), print("d"));
    expect(texts(cell)).toEqual(["ab", "cd"]);
  });

  it("a tagged clear removes only outputs carrying all of its tags", () => {
    const cell = run(
      print("keep\n"),
      marker(["x"]),
      print("x only\n"),
      marker(["y"]),
      print("x and y\n"),
      marker([], ["x", "y"]),
      marker(["y"]),
      print("y only\n"),
      marker([], ["y"]),
      clear(["x", "y"]),
    );
    expect(texts(cell)).toEqual(["keep\n", "x only\n", "y only\n"]);
    const again = run(
      print("keep\n"),
      marker(["x"]),
      print("x\n"),
      marker([], ["x"]),
      print("after\n"),
      clear(["x"]),
    );
    expect(texts(again)).toEqual(["keep\nafter\n"]); // side by side again: one stream
  });

  it("a clear without tags removes everything", () => {
    const cell = run(print("a\n"), marker(["x"]), print("b\n"), clear());
    expect(cell.outputs).toEqual([]);
  });

  it("a tagged clear with wait happens at the next output, not at a marker", () => {
    const cell = newCodeCell();
    const acc = new OutputAccumulator(cell);
    for (const m of [print("keep\n"), marker(["t"]), print("temp\n"), clear(["t"], true)]) {
      acc.add(m);
    }
    expect(texts(cell)).toEqual(["keep\n", "temp\n"]);
    acc.add(marker([], ["t"]));
    expect(texts(cell)).toEqual(["keep\n", "temp\n"]);
    acc.add(html("next"));
    expect(texts(cell)).toEqual(["keep\n", "next"]);
  });

  it("output.temporary(): outputs inside go away when it exits", () => {
    const tag = "temporary-abc";
    const cell = run(
      print("start\n"),
      marker([tag]),
      print("working...\n"),
      html("<progress></progress>"),
      marker([], [tag]),
      clear([tag]),
      html("done"),
    );
    expect(texts(cell)).toEqual(["start\n", "done"]);
  });

  it("a single string as output_tags is one tag", () => {
    const cell = newCodeCell();
    const acc = new OutputAccumulator(cell);
    acc.add(marker(["t"]));
    acc.add(print("x\n"));
    acc.add(iopub("clear_output", { wait: false, output_tags: "t" }));
    expect(cell.outputs).toEqual([]);
  });

  it("tags are not saved", () => {
    const cell = run(marker(["t"]), print("x\n"));
    const saved = saveNotebook({ cells: [cell], rest: {} });
    const outputs = (saved["cells"] as Record<string, unknown>[])[0]!["outputs"];
    expect(outputs).toEqual([{ output_type: "stream", name: "stdout", text: "x\n" }]);
  });
});
