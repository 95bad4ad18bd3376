import { describe, expect, it } from "vitest";

import { CONFLICT_KEY, describeMerge, mergeNotebooks } from "../src/merge";

type Json = Record<string, unknown>;

const cell = (id: string, source: string, extra: Json = {}): Json => ({
  id,
  cell_type: "code",
  source,
  metadata: {},
  outputs: [],
  execution_count: null,
  ...extra,
});
const nb = (cells: Json[], metadata: Json = {}): Json => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata,
  cells,
});
const sources = (content: Json) => (content["cells"] as Json[]).map((c) => c["source"]);
const ids = (content: Json) => (content["cells"] as Json[]).map((c) => c["id"]);

const base = nb([cell("a", "a = 1"), cell("b", "b = 2"), cell("c", "c = 3")]);

describe("mergeNotebooks", () => {
  it("takes each side's changes to different cells", () => {
    const ours = nb([cell("a", "a = 10"), cell("b", "b = 2"), cell("c", "c = 3")]);
    const theirs = nb([cell("a", "a = 1"), cell("b", "b = 20"), cell("c", "c = 3")]);
    const { content, report } = mergeNotebooks(base, ours, theirs, 7);
    expect(sources(content)).toEqual(["a = 10", "b = 20", "c = 3"]);
    expect(report).toEqual({ fromTheirs: 1, conflicts: 0, keptDeleted: 0 });
  });

  it("keeps both versions of a cell changed on both sides, theirs marked, after ours", () => {
    const ours = nb([cell("a", "a = 'mine'"), cell("b", "b = 2"), cell("c", "c = 3")]);
    const theirs = nb([cell("a", "a = 'theirs'"), cell("b", "b = 2"), cell("c", "c = 3")]);
    const { content, report } = mergeNotebooks(base, ours, theirs, 7);
    expect(sources(content)).toEqual(["a = 'mine'", "a = 'theirs'", "b = 2", "c = 3"]);
    const copy = (content["cells"] as Json[])[1]!;
    expect(copy["id"]).not.toBe("a");
    expect((copy["metadata"] as Json)[CONFLICT_KEY]).toEqual({ of: "a", revision: 7 });
    expect(report.conflicts).toBe(1);
    expect(new Set(ids(content)).size).toBe(4);
  });

  it("the same edit on both sides is no conflict", () => {
    const same = nb([cell("a", "a = 5"), cell("b", "b = 2"), cell("c", "c = 3")]);
    const { content, report } = mergeNotebooks(base, same, structuredClone(same));
    expect(sources(content)).toEqual(["a = 5", "b = 2", "c = 3"]);
    expect(report).toEqual({ fromTheirs: 0, conflicts: 0, keptDeleted: 0 });
  });

  it("merges field groups: their source, our outputs", () => {
    const out = [{ output_type: "stream", name: "stdout", text: "1\n" }];
    const ours = nb([cell("a", "a = 1", { outputs: out, execution_count: 1 }), cell("b", "b = 2"), cell("c", "c = 3")]);
    const theirs = nb([cell("a", "a = 2"), cell("b", "b = 2"), cell("c", "c = 3")]);
    const { content } = mergeNotebooks(base, ours, theirs);
    const a = (content["cells"] as Json[])[0]!;
    expect(a["source"]).toBe("a = 2");
    expect(a["outputs"]).toEqual(out);
    expect(a["execution_count"]).toBe(1);
  });

  it("places cells added on either side after their predecessor", () => {
    const ours = nb([cell("a", "a = 1"), cell("n1", "mine"), cell("b", "b = 2"), cell("c", "c = 3")]);
    const theirs = nb([cell("t0", "first"), cell("a", "a = 1"), cell("b", "b = 2"), cell("c", "c = 3"), cell("t9", "last")]);
    const { content, report } = mergeNotebooks(base, ours, theirs);
    expect(ids(content)).toEqual(["t0", "a", "n1", "b", "c", "t9"]);
    expect(report.fromTheirs).toBe(2);
  });

  it("deletions: unchanged cells go, changed ones stay", () => {
    // They deleted b (untouched by us) and c (which we changed); we deleted a (untouched).
    const ours = nb([cell("b", "b = 2"), cell("c", "c = 30")]);
    const theirs = nb([cell("a", "a = 1")]);
    const { content, report } = mergeNotebooks(base, ours, theirs);
    expect(sources(content)).toEqual(["c = 30"]);
    expect(report.keptDeleted).toBe(1);
    // We deleted a cell they changed: their text is kept.
    const theirs2 = nb([cell("a", "a = 100"), cell("b", "b = 2"), cell("c", "c = 3")]);
    const ours2 = nb([cell("b", "b = 2"), cell("c", "c = 3")]);
    expect(sources(mergeNotebooks(base, ours2, theirs2).content)).toEqual(["a = 100", "b = 2", "c = 3"]);
  });

  it("follows their reordering when we kept the order, ours otherwise", () => {
    const theirs = nb([cell("c", "c = 3"), cell("a", "a = 1"), cell("b", "b = 2")]);
    const ours = nb([cell("a", "a = 1"), cell("b", "b = 22"), cell("c", "c = 3")]);
    expect(ids(mergeNotebooks(base, ours, theirs).content)).toEqual(["c", "a", "b"]);
    const oursMoved = nb([cell("b", "b = 2"), cell("a", "a = 1"), cell("c", "c = 3")]);
    expect(ids(mergeNotebooks(base, oursMoved, theirs).content)).toEqual(["b", "a", "c"]);
  });

  it("takes notebook metadata they changed; list sources count as their joined text", () => {
    const theirs = nb([cell("a", ["a ", "= 1"] as unknown as string), cell("b", "b = 2"), cell("c", "c = 3")], {
      colab: { name: "x" },
    });
    const ours = nb([cell("a", "a = 1"), cell("b", "b = 2"), cell("c", "c = 3")]);
    const { content, report } = mergeNotebooks(base, ours, theirs);
    expect(content["metadata"]).toEqual({ colab: { name: "x" } });
    expect(report.conflicts).toBe(0);
  });

  it("tells the user what happened", () => {
    const text = describeMerge({ fromTheirs: 2, conflicts: 1, keptDeleted: 0 }, 5);
    expect(text).toContain("changed elsewhere (revision 5)");
    expect(text).toContain('1 cell was changed on both sides');
    expect(describeMerge({ fromTheirs: 1, conflicts: 0, keptDeleted: 0 }, 5)).toContain("No conflicts");
  });
});
