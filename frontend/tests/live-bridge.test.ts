import { YNotebook } from "@jupyter/ydoc";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";

import { mergeOutputs, pull, push, sameYOutputs, textEdit } from "../src/live/bridge";
import { arrangeFirst } from "../src/live/first-sync";
import { type Cell, loadNotebook, type Notebook, type Output } from "../src/model";

/** Two pages' documents joined as the service joins them: every update reaches the
 * other while `wire.up`; `reconnect` exchanges what either missed. */
function pair() {
  const a = new YNotebook();
  const b = new YNotebook();
  const wire = { up: true };
  const forward = (to: Y.Doc) => (u: Uint8Array, origin: unknown) => {
    if (origin !== "wire" && wire.up) Y.applyUpdate(to, u, "wire");
  };
  a.ydoc.on("update", forward(b.ydoc));
  b.ydoc.on("update", forward(a.ydoc));
  const reconnect = () => {
    wire.up = true;
    Y.applyUpdate(a.ydoc, Y.encodeStateAsUpdate(b.ydoc, Y.encodeStateVector(a.ydoc)), "wire");
    Y.applyUpdate(b.ydoc, Y.encodeStateAsUpdate(a.ydoc, Y.encodeStateVector(b.ydoc)), "wire");
  };
  return { a, b, wire, reconnect };
}

function page(nb: Notebook) {
  return {
    nb,
    setCells: (cells: Cell[]) => nb.cells.splice(0, nb.cells.length, ...cells),
    sourceChanged: () => {},
    repaint: () => {},
  };
}

const code = (id: string, source: string) => ({
  id,
  cell_type: "code",
  source,
  metadata: {},
  outputs: [],
  execution_count: null,
});

describe("live bridge", () => {
  it("finds the one edit between two texts", () => {
    expect(textEdit("abc", "abc")).toBeNull();
    expect(textEdit("a = 1", "a = 12")).toEqual({ at: 5, remove: 0, insert: "2" });
    expect(textEdit("hello world", "hello big world")).toEqual({ at: 6, remove: 0, insert: "big " });
    expect(textEdit("xxyy", "xy")).toEqual({ at: 1, remove: 2, insert: "" });
  });

  it("carries sources, order, outputs and counts from one page to the other", () => {
    const { a: ya, b: yb } = pair();
    const one = loadNotebook({ cells: [code("a", "x = 1"), code("b", "y = 2")] });
    const two = loadNotebook({ cells: [] });
    push(one, ya);
    pull(yb, page(two));
    expect(two.cells.map((c) => c.source)).toEqual(["x = 1", "y = 2"]);

    one.cells[0]!.source = "x = 10";
    one.cells[1]!.outputs.push({ output_type: "stream", name: "stdout", text: "2\n" });
    one.cells[1]!.execution_count = 3;
    one.cells.reverse();
    push(one, ya);
    pull(yb, page(two));
    expect(two.cells.map((c) => c.id)).toEqual(["b", "a"]);
    expect(two.cells[1]!.source).toBe("x = 10");
    expect(two.cells[0]!.outputs).toEqual([{ output_type: "stream", name: "stdout", text: "2\n" }]);
    expect(two.cells[0]!.execution_count).toBe(3);
  });

  it("merges two pages typing into one cell while apart", () => {
    const { a: ya, b: yb, wire, reconnect } = pair();
    const one = loadNotebook({ cells: [code("a", "ab")] });
    push(one, ya);
    const two = loadNotebook({ cells: [] });
    pull(yb, page(two));
    wire.up = false;
    one.cells[0]!.source = "Xab";
    two.cells[0]!.source = "abY";
    push(one, ya);
    push(two, yb);
    reconnect();
    pull(ya, page(one));
    pull(yb, page(two));
    expect(one.cells[0]!.source).toBe("XabY");
    expect(two.cells[0]!.source).toBe("XabY");
  });
});

describe("a cell moved in one page while typed into in another", () => {
  it("keeps both the move and the typing", () => {
    const { a: ya, b: yb, wire, reconnect } = pair();
    const one = loadNotebook({ cells: [code("a", "first"), code("b", "second")] });
    push(one, ya);
    const two = loadNotebook({ cells: [] });
    pull(yb, page(two));
    wire.up = false;
    one.cells.reverse(); // page one moves "a" below "b"
    push(one, ya);
    two.cells[0]!.source = "first, typed meanwhile"; // page two types into "a"
    push(two, yb);
    reconnect();
    const pagesPull = (y: YNotebook, nb: Notebook) => {
      if (pull(y, page(nb))) push(nb, y); // what LiveSaver does: the rescue goes back in
    };
    pagesPull(yb, two);
    pagesPull(ya, one);
    for (const nb of [one, two]) {
      expect(nb.cells.map((c) => c.id)).toEqual(["b", "a"]);
      expect(nb.cells[1]!.source).toBe("first, typed meanwhile");
    }
  });
});

describe("arrangeFirst: the cell list a page changed before its first sync", () => {
  const cells = (...ids: string[]) => ids.map((id) => ({ id }));
  const ids = (list: { id: string }[] | null) => list?.map((c) => c.id) ?? null;

  it("leaves the document's list when the page changed nothing", () => {
    expect(arrangeFirst(["a", "b"], cells("a", "b"), cells("b", "a"))).toBeNull();
  });

  it("keeps the page's moves, deletes and inserts when the document's list is as opened", () => {
    const theirs = cells("a", "b", "c");
    const out = arrangeFirst(["a", "b", "c"], cells("c", "new", "a"), theirs);
    expect(ids(out)).toEqual(["c", "new", "a"]);
    expect(out![0]).toBe(theirs[2]); // the document's cell objects, updated by pull
  });

  it("applies the page's deletes and inserts to a list someone else changed", () => {
    const out = arrangeFirst(["a", "b", "c"], cells("a", "x", "c"), cells("c", "other", "a", "b"));
    expect(ids(out)).toEqual(["c", "other", "a", "x"]);
  });
});

describe("the first sync of a cell typed into before it", () => {
  it("leaves the page's source alone (no edit reaches the editor) and pushes it", () => {
    const { a: ya, b: yb } = pair();
    const service = loadNotebook({ cells: [code("a", "name = 'Ada'")] });
    push(service, ya);
    const mine = loadNotebook({ cells: [code("a", "name = 'Adax'")] });
    const edits: unknown[] = [];
    pull(yb, { ...page(mine), sourceChanged: (_c, e) => edits.push(e) }, undefined, () => true);
    expect(edits).toEqual([]);
    expect(mine.cells[0]!.source).toBe("name = 'Adax'");
    push(mine, yb);
    expect(ya.getCell(0).getSource()).toBe("name = 'Adax'");
  });
});

describe("outputs the document changed", () => {
  const js = { output_type: "display_data", data: { "application/javascript": "go()" }, metadata: {} };
  const display = (text: string) => ({
    output_type: "display_data",
    data: { "text/plain": text },
    metadata: { cloudbook: { display_id: "d1" } },
  });
  const stream = (text: string) => ({ output_type: "stream", name: "stdout", text });

  it("keep their objects (a script output is not drawn again); a grown stream and an updated display change in place", () => {
    const mine = [structuredClone(js), display("1%"), stream("a\n")] as Output[];
    const [a, b, c] = mine;
    const merged = mergeOutputs(mine, [structuredClone(js), display("50%"), stream("a\nb\n"), stream("x")] as Output[]);
    expect(merged[0]).toBe(a);
    expect(merged[1]).toBe(b);
    expect(b!["data"]).toEqual({ "text/plain": "50%" });
    expect(merged[2]).toBe(c);
    expect(c!["text"]).toBe("a\nb\n");
    expect(merged[3]).toEqual(stream("x"));
  });

  it("match past outputs that were removed, and through pull", () => {
    const { a: ya, b: yb } = pair();
    const service = loadNotebook({ cells: [code("a", "x")] });
    service.cells[0]!.outputs = [stream("gone"), structuredClone(js)] as Output[];
    push(service, ya);
    const two = loadNotebook({ cells: [] });
    pull(yb, page(two));
    const script = two.cells[0]!.outputs[1];
    service.cells[0]!.outputs = [structuredClone(js), stream("new")] as Output[];
    push(service, ya);
    pull(yb, page(two));
    expect(two.cells[0]!.outputs[0]).toBe(script);
    expect(two.cells[0]!.outputs[1]).toEqual(stream("new"));
  });
});

describe("the first sync of a page opened from the file", () => {
  const stream = (text: string) => ({ output_type: "stream", name: "stdout", text });
  const result = (text: string) => ({
    output_type: "execute_result",
    data: { "text/plain": text },
    metadata: {},
    execution_count: 1,
  });

  it("finds equal outputs equal without reading them out, and any difference different", () => {
    const { a: ya } = pair();
    const service = loadNotebook({ cells: [code("a", "x")] });
    service.cells[0]!.outputs = [stream("a\nb\n"), result("1")] as Output[];
    push(service, ya);
    const youtputs = (ya.getCell(0) as unknown as { youtputs: Y.Array<unknown> }).youtputs;
    const opened = () => structuredClone(service.cells[0]!.outputs);
    expect(sameYOutputs(youtputs, opened())).toBe(true);
    // The page's own tags are never in the document.
    expect(sameYOutputs(youtputs, opened().map((o) => ({ ...o, _tags: ["t"] })))).toBe(true);
    expect(sameYOutputs(youtputs, [stream("a\nb\n")] as Output[])).toBe(false);
    expect(sameYOutputs(youtputs, [stream("a\nc\n"), result("1")] as Output[])).toBe(false);
    expect(sameYOutputs(youtputs, [stream("a\nb\n"), result("2")] as Output[])).toBe(false);
    const extra = [stream("a\nb\n"), { ...result("1"), more: 1 }] as Output[];
    expect(sameYOutputs(youtputs, extra)).toBe(false);
  });

  it("keeps the page's output objects when the document's are the same, and takes a changed one", () => {
    const { a: ya, b: yb } = pair();
    const service = loadNotebook({ cells: [code("a", "x"), code("b", "y")] });
    service.cells[0]!.outputs = [stream("same\n")] as Output[];
    service.cells[1]!.outputs = [stream("old\n")] as Output[];
    push(service, ya);
    const mine = loadNotebook({ cells: [code("a", "x"), code("b", "y")] });
    mine.cells[0]!.outputs = [stream("same\n")] as Output[];
    mine.cells[1]!.outputs = [stream("older\n")] as Output[];
    const kept = mine.cells[0]!.outputs;
    const repainted: string[] = [];
    pull(yb, { ...page(mine), repaint: (c) => repainted.push(c.id) });
    expect(mine.cells[0]!.outputs).toBe(kept);
    expect(mine.cells[1]!.outputs).toEqual([stream("old\n")]);
    expect(repainted).toEqual(["b"]);
  });
});
